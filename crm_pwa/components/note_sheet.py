"""Log a meeting: a bottom sheet that saves through the browser outbox, online or not.

Everything here runs in the browser: a native <dialog> opened by a script, radio
chips and fields that React does not control, and a save script that reads the
form, writes the note to IndexedDB with an id made on the phone, and flushes.
No server event is involved until the note has reached the server, so the
sheet works the same with no signal. Defaults (meeting, we started, neutral, no
next step) make "open, type, save" enough; a mood and a next step are one tap each.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from crm_pwa.components.field import TAP, labelled, text_box, text_input
from crm_pwa.components.outbox_script import ADD_DAYS_JS, PENDING_JS, SYNC_JS, TODAY_JS
from crm_pwa.components.timeline_entry import KIND_LABELS, SENTIMENT_LABELS

NOTE_SHEET_ID = "note-sheet"
MAX_SUMMARY = 10_000
NEXT_STEP_CHIPS = (
    ("", "No next step"),
    ("1", "Tomorrow"),
    ("3", "In 3 days"),
    ("7", "Next week"),
    ("14", "In 2 weeks"),
    ("date", "Pick a date"),
)

# The date picker offers no day before the rep's today, set on every opening so a
# page left open past midnight moves on with the calendar.
OPEN_JS = f"""(() => {{
  const sheet = document.getElementById('{NOTE_SHEET_ID}');
  sheet.querySelector('[name="next_date"]').min = {TODAY_JS};
  sheet.showModal();
}})()"""
CLOSE_JS = f"document.getElementById('{NOTE_SHEET_ID}').close()"

SAVE_JS = f"""(async () => {{
  const sheet = document.getElementById('{NOTE_SHEET_ID}');
  const form = sheet.querySelector('form');
  const error = sheet.querySelector('[data-note-error]');
  const outcome = document.querySelector('[data-note-outcome]');
  const data = new FormData(form);
  const fail = (text, field) => {{
    error.textContent = text;
    error.hidden = false;
    if (field) form.elements[field].focus();
  }};
  error.hidden = true;
  const summary = String(data.get('summary') || '').trim();
  if (!summary) return fail('Write what happened.', 'summary');
  if (Array.from(summary).length > {MAX_SUMMARY}) {{
    return fail('What happened is over {MAX_SUMMARY:,} characters: shorten it.', 'summary');
  }}
  const when = String(data.get('next_when') || '');
  const title = String(data.get('next_title') || '').trim();
  let followUp = null;
  if (when) {{
    const due = when === 'date'
      ? String(data.get('next_date') || '') : {ADD_DAYS_JS}({TODAY_JS}, Number(when));
    if (!/^\\d{{4}}-\\d{{2}}-\\d{{2}}$/.test(due)) {{
      return fail('Pick the date of the next step.', 'next_date');
    }}
    if (due < {TODAY_JS}) {{
      return fail('The next step cannot be in the past: pick today or a later day.', 'next_date');
    }}
    followUp = {{due_on: due, title: title || 'Follow up'}};
  }} else if (title) {{
    return fail('Say when the next step is due: tap one of the chips.', null);
  }}
  const save = sheet.querySelector('[data-note-save]');
  save.disabled = true;
  let id;
  try {{
    id = await window.crmOutbox.enqueueNote({{
      contact_id: sheet.dataset.contactId || location.pathname.split('/').filter(Boolean)[1],
      kind: String(data.get('kind')),
      direction: String(data.get('direction')),
      sentiment: String(data.get('sentiment')),
      summary,
      occurred_at: new Date().toISOString(),
      follow_up: followUp,
    }});
  }} catch (problem) {{
    return fail(problem.message, problem.field === 'summary' ? 'summary' : null);
  }} finally {{
    save.disabled = false;
  }}
  form.reset();
  sheet.close();
  outcome.textContent = 'Saving…';
  const sent = await ({SYNC_JS})(id);
  if (sent.state === 'waiting' || sent.state === 'stuck') {{
    ({PENDING_JS})(outcome, id, sent, 'Saved');
  }} else if (sent.state !== 'sent') {{
    outcome.textContent = 'The server did not take the note: ' + sent.error
      + ' It is kept on this phone under "Waiting to sync" to correct.';
  }} else if (sent.nextStep) {{
    // The server's words say the note is kept and why the next step is not.
    outcome.textContent = sent.nextStep.error
      + ' Pick a new date for it under "Waiting to sync".';
  }} else {{
    outcome.textContent = 'Saved.';
  }}
}})()"""

_CHIP_STYLE: dict[str, Any] = {
    "position": "relative",
    "display": "inline-flex",
    "align_items": "center",
    "min_height": TAP,
    "padding": "0 14px",
    "border": "1px solid var(--gray-8)",
    "border_radius": "999px",
    "font_size": "15px",
    "color": "var(--gray-12)",
    "background": "var(--color-surface)",
    "&:has(input:checked)": {
        "background": "var(--accent-9)",
        "border_color": "var(--accent-9)",
        "color": "var(--accent-contrast)",
        "font_weight": "600",
    },
    "&:has(input:focus-visible)": {
        "outline": "2px solid var(--accent-8)",
        "outline_offset": "2px",
    },
}
# The radio covers its whole chip: the chip is the tap target and keeps the
# radio's keyboard and screen-reader behaviour.
_RADIO_STYLE = {
    "position": "absolute",
    "inset": "0",
    "width": "100%",
    "height": "100%",
    "margin": "0",
    "opacity": "0",
    "cursor": "pointer",
}


def chip(name: str, value: str, label: str, checked: bool = False) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio", name=name, value=value, default_checked=checked, style=_RADIO_STYLE
        ),
        rx.el.span(label),
        style=_CHIP_STYLE,
    )


def chip_group(
    legend: str, name: str, chips: tuple[tuple[str, str], ...], default: str
) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, style={"font_weight": "600", "padding": "0", "margin_bottom": "6px"}),
        rx.el.div(
            *(chip(name, value, label, value == default) for value, label in chips),
            style={"display": "flex", "flex_wrap": "wrap", "gap": "8px"},
        ),
        style={"border": "none", "padding": "0", "margin": "0", "min_width": "0"},
    )


def note_sheet(contact_id: Var[str], contact_name: Var[str]) -> rx.Component:
    return rx.el.dialog(
        rx.el.form(
            rx.hstack(
                rx.vstack(
                    rx.heading("Log a meeting", size="5", as_="h2", id="note-sheet-title"),
                    rx.text(contact_name, size="2", color="var(--gray-11)"),
                    spacing="0",
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", aria_hidden="true"),
                    type="button",
                    on_click=rx.call_script(CLOSE_JS),
                    aria_label="Close",
                    variant="ghost",
                    size="3",
                    min_width=TAP,
                    min_height=TAP,
                ),
                align="center",
                width="100%",
            ),
            chip_group("Kind", "kind", tuple(KIND_LABELS.items()), "meeting"),
            chip_group(
                "Who started it", "direction", (("outbound", "We"), ("inbound", "They")), "outbound"
            ),
            labelled(
                "What happened",
                text_box("summary", rows=4, placeholder="What was said, agreed, promised"),
            ),
            rx.el.p(
                data_note_error="",
                role="alert",
                hidden=True,
                style={"color": "var(--red-11)", "font_weight": "600", "margin": "0"},
            ),
            chip_group("How it went", "sentiment", tuple(SENTIMENT_LABELS.items()), "neutral"),
            labelled(
                "Next step",
                text_input("next_title", placeholder="e.g. Send the revised quote"),
            ),
            chip_group("When", "next_when", NEXT_STEP_CHIPS, ""),
            labelled(
                "Date of the next step",
                text_input("next_date", type="date"),
                class_name="pick-date",
            ),
            rx.hstack(
                rx.button(
                    "Save",
                    type="button",
                    on_click=rx.call_script(SAVE_JS),
                    data_note_save="",
                    size="3",
                    min_height=TAP,
                    flex="1",
                ),
                rx.button(
                    "Cancel",
                    type="button",
                    on_click=rx.call_script(CLOSE_JS),
                    size="3",
                    min_height=TAP,
                    variant="soft",
                    color_scheme="gray",
                ),
                width="100%",
                spacing="2",
            ),
            style={"display": "flex", "flex_direction": "column", "gap": "16px"},
        ),
        id=NOTE_SHEET_ID,
        data_contact_id=contact_id,
        aria_labelledby="note-sheet-title",
        style={
            "width": "100%",
            "max_width": "720px",
            "margin": "auto auto 0",
            "max_height": "92dvh",
            "overflow_y": "auto",
            "border": "none",
            "border_radius": "16px 16px 0 0",
            "padding": "16px 16px calc(16px + env(safe-area-inset-bottom))",
            "box_sizing": "border-box",
            "background": "var(--color-panel-solid)",
            "color": "var(--gray-12)",
            "&::backdrop": {"background": "rgba(0, 0, 0, 0.55)"},
            "& .pick-date": {"display": "none"},
            "&:has(input[name='next_when'][value='date']:checked) .pick-date": {"display": "flex"},
        },
    )
