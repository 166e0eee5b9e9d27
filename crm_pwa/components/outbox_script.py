"""JavaScript run by `rx.call_script` to save through the browser outbox (assets/outbox.js).

Notes and follow-up changes take one path online and offline: into IndexedDB
first, then a flush to `POST /api/v1/sync`. Only when the flush went through
does the script press the page's hidden reload button, which sends the one
server event that re-reads the card. Offline no server event is queued at all:
a queued one would hold back every later client-side script until the socket
reconnects (see PWA_NOTES.md, "How this fits Reflex").
"""

from __future__ import annotations

RELOAD_BUTTON_ID = "card-reload"

# The rep's "today" as the server sees it (the page renders it into data-today),
# so "tomorrow" and "snooze 1 day" agree with the server's calendar.
TODAY_JS = (
    "(document.querySelector('[data-today]')?.dataset.today"
    " || new Date().toLocaleDateString('en-CA'))"
)
ADD_DAYS_JS = (
    "((iso, days) => { const d = new Date(iso + 'T12:00:00Z');"
    " d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10); })"
)

# Flushes and resolves to crmOutbox.sendNow's answer for the item `id`
# ({state, error, nextStep}); once the item is on the server the card reads
# itself back.
SYNC_JS = f"""async (id) => {{
  const outcome = await window.crmOutbox.sendNow(id);
  if (outcome.state === 'sent') document.getElementById('{RELOAD_BUTTON_ID}')?.click();
  return outcome;
}}"""

# What a message says about an item that stays on the phone; the element gets
# the item's id (data-outbox-item) so outbox-list.js takes the message down
# once the item has reached the server.
PENDING_JS = """((el, id, outcome, what) => {
  el.dataset.outboxItem = id;
  el.textContent = outcome.state === 'stuck'
    ? what + ' on this phone; the server had a problem with it, so it is sent again later.'
    : what + ' on this phone; it will sync when you are online.';
})"""

UNDO_BAR_ID = "follow-up-undo"
# How long "Marked done · Undo" stays on the card.
UNDO_SECONDS = 8

# Sends one follow-up change through the outbox; `line` (may be null) says what
# happened when the change could not be sent yet. Resolves to 'sent', 'queued'
# (kept on the phone, sent later) or 'refused'.
SEND_FOLLOW_UP_JS = f"""(async (change, line, what) => {{
  const say = (text) => {{ if (line) line.textContent = text; }};
  try {{
    await window.crmOutbox.enqueueFollowUpUpdate(change);
    const outcome = await ({SYNC_JS})(change.id);
    if (outcome.state === 'waiting' || outcome.state === 'stuck') {{
      if (line) ({PENDING_JS})(line, change.id, outcome, what);
      return 'queued';
    }}
    if (outcome.state !== 'sent') {{
      say('Not saved: ' + outcome.error);
      return 'refused';
    }}
    return 'sent';
  }} catch (error) {{
    say('Not saved: ' + error.message);
    return 'refused';
  }}
}})"""

# Marks a follow-up done or snoozes it until `until` (a day the server chose
# for the rep). After "done" the card offers Undo for a few seconds, putting
# back `undo` ({status, snooze_until}): the follow-up as it was.
FOLLOW_UP_CHANGE_JS = f"""(async (id, status, until, undo, title) => {{
  const line = document.querySelector(`[data-follow-up="${{id}}"] [data-follow-up-status]`);
  const change = {{id, status}};
  if (status === 'snoozed') change.snooze_until = until;
  const what = status === 'done' ? 'Marked done' : 'Snoozed until ' + until;
  const outcome = await ({SEND_FOLLOW_UP_JS})(change, line, what);
  const bar = document.getElementById('{UNDO_BAR_ID}');
  if (outcome === 'refused' || status !== 'done' || !bar) return;
  Object.assign(bar.dataset, {{id, status: undo.status, until: undo.snooze_until || ''}});
  bar.querySelector('[data-undo-text]').textContent = 'Marked done: ' + title;
  bar.hidden = false;
  clearTimeout(window.crmUndoTimer);
  window.crmUndoTimer = setTimeout(() => {{ bar.hidden = true; }}, {UNDO_SECONDS * 1000});
}})"""

# Undo on the bar: the follow-up goes back to what it was before "done".
UNDO_JS = f"""(async () => {{
  const bar = document.getElementById('{UNDO_BAR_ID}');
  clearTimeout(window.crmUndoTimer);
  const {{id, status, until}} = bar.dataset;
  const text = bar.querySelector('[data-undo-text]');
  const reopened = await ({SEND_FOLLOW_UP_JS})({{id, status: 'open'}}, text, 'Reopened');
  // A refusal stays on the bar, with Undo to try again.
  bar.hidden = reopened !== 'refused';
  // A done follow-up is reopened before it is snoozed again (domain/note_rules.py),
  // so the snooze goes second, once the reopening is on the server; offline, the
  // follow-up comes back open.
  if (reopened === 'sent' && status === 'snoozed') {{
    await ({SEND_FOLLOW_UP_JS})({{id, status, snooze_until: until}}, null, 'Snoozed');
  }}
}})()"""
