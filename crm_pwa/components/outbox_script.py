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

# Resolves to "sent", "rejected: <reason>" or "waiting" for the outbox item `id`.
SYNC_JS = f"""async (id) => {{
  const report = await window.crmOutbox.flush();
  if (report.rejected) {{
    const found = (await window.crmOutbox.status()).rejected.find((r) => r.id === id);
    if (found) return 'rejected: ' + found.error;
  }}
  if (report.error || !navigator.onLine) return 'waiting';
  document.getElementById('{RELOAD_BUTTON_ID}')?.click();
  return 'sent';
}}"""

# Marks a follow-up done or snoozes it for a day; the status line of the
# follow-up says what happened when the change could not be sent yet.
FOLLOW_UP_CHANGE_JS = f"""(async (id, status) => {{
  const line = document.querySelector(`[data-follow-up="${{id}}"] [data-follow-up-status]`);
  const say = (text) => {{ if (line) line.textContent = text; }};
  const change = {{id, status}};
  if (status === 'snoozed') change.snooze_until = {ADD_DAYS_JS}({TODAY_JS}, 1);
  try {{
    await window.crmOutbox.enqueueFollowUpUpdate(change);
    const outcome = await ({SYNC_JS})(id);
    const done = status === 'done' ? 'Marked done' : 'Snoozed until ' + change.snooze_until;
    if (outcome === 'waiting') say(done + ' on this phone; it will sync when you are online.');
    else if (outcome !== 'sent') say('Not saved: ' + outcome.slice('rejected: '.length));
  }} catch (error) {{
    say('Not saved: ' + error.message);
  }}
}})"""
