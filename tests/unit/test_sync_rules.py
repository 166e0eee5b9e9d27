"""How outbox items merge: replays are duplicates, the latest follow-up change wins."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crm_pwa.domain.note_rules import RuleError
from crm_pwa.domain.sync import (
    MAX_BATCH_ITEMS,
    FollowUpState,
    NoteContent,
    batch_size_error,
    merge_follow_up_change,
    replayed_note_status,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
OPEN = FollowUpState(status="open", snooze_until=None, done_on=None, changed_at=T0)


def test_batch_is_accepted_when_it_holds_at_most_1000_items() -> None:
    assert MAX_BATCH_ITEMS == 1000
    assert batch_size_error(0) is None
    assert batch_size_error(1000) is None


def test_batch_is_refused_with_its_size_when_it_holds_1001_items() -> None:
    reason = batch_size_error(1001)
    assert reason is not None and "1,000" in reason and "1,001" in reason


def _content(contact: uuid.UUID, **changes: object) -> NoteContent:
    fields: dict[str, object] = {
        "contact_id": contact,
        "kind": "meeting",
        "direction": "outbound",
        "occurred_at": T0,
        "summary": "Walked the site.",
        "sentiment": "positive",
    }
    fields.update(changes)
    return NoteContent(**fields)  # type: ignore[arg-type]


def test_replay_is_a_duplicate_when_the_same_rep_sends_the_same_note_again() -> None:
    contact, rep = uuid.uuid4(), uuid.uuid4()
    # The same instant written with another offset is the same note.
    resent = _content(contact, occurred_at=T0.astimezone(timezone(timedelta(hours=-8))))
    status = replayed_note_status(
        stored_author_id=rep, author_id=rep, stored=_content(contact), sent=resent
    )
    assert status == "duplicate"


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Walked the site twice."},
        {"kind": "call"},
        {"direction": "inbound"},
        {"sentiment": "negative"},
        {"occurred_at": T0 + timedelta(minutes=1)},
        {"contact_id": uuid.uuid4()},
    ],
)
def test_replay_is_a_conflict_when_the_same_rep_sends_the_id_with_other_content(
    change: dict[str, object],
) -> None:
    contact, rep = uuid.uuid4(), uuid.uuid4()
    status = replayed_note_status(
        stored_author_id=rep,
        author_id=rep,
        stored=_content(contact),
        sent=_content(contact, **change),
    )
    assert status == "conflict"


def test_reused_note_id_is_refused_when_it_belongs_to_another_rep() -> None:
    contact = uuid.uuid4()
    with pytest.raises(RuleError, match="already used"):
        replayed_note_status(
            stored_author_id=uuid.uuid4(),
            author_id=uuid.uuid4(),
            stored=_content(contact),
            sent=_content(contact),
        )


def _merge(
    stored: FollowUpState,
    status: str,
    at: datetime,
    snooze_until: date | None = None,
    changed_on: date = TODAY,
    now: datetime = T0 + timedelta(days=3),
) -> FollowUpState | None:
    return merge_follow_up_change(
        stored,
        status=status,
        snooze_until=snooze_until,
        changed_at=at,
        changed_on=changed_on,
        now=now,
    )


def test_change_is_ignored_when_older_than_or_as_old_as_the_stored_one() -> None:
    assert _merge(OPEN, "done", T0 - timedelta(seconds=1)) is None
    assert _merge(OPEN, "done", T0) is None


def test_stale_change_is_ignored_even_when_its_transition_would_be_refused() -> None:
    done = FollowUpState("done", None, TODAY, T0)
    assert _merge(done, "snoozed", T0, TODAY) is None


def test_newer_done_records_the_day_it_was_made_when_synced_later() -> None:
    later = T0 + timedelta(minutes=5)
    merged = _merge(OPEN, "done", later, changed_on=date(2026, 11, 21))
    assert merged == FollowUpState("done", None, date(2026, 11, 21), later)


def test_snooze_chosen_offline_is_judged_by_its_own_day_when_synced_later() -> None:
    monday, tuesday = date(2026, 11, 16), date(2026, 11, 17)
    merged = _merge(OPEN, "snoozed", T0 + timedelta(hours=1), tuesday, changed_on=monday)
    assert merged is not None and merged.snooze_until == tuesday


def test_done_again_keeps_the_first_completion_day_when_already_done() -> None:
    done = FollowUpState("done", None, date(2026, 11, 20), T0)
    merged = _merge(done, "done", T0 + timedelta(hours=1))
    assert merged is not None and merged.done_on == date(2026, 11, 20)


def test_reopening_clears_the_completion_day_when_a_done_follow_up_is_opened() -> None:
    done = FollowUpState("done", None, date(2026, 11, 20), T0)
    merged = _merge(done, "open", T0 + timedelta(hours=1))
    assert merged == FollowUpState("open", None, None, T0 + timedelta(hours=1))


def test_snooze_keeps_its_date_and_leaving_snooze_drops_it_when_applied() -> None:
    snoozed = _merge(OPEN, "snoozed", T0 + timedelta(hours=1), date(2026, 11, 30))
    assert snoozed == FollowUpState("snoozed", date(2026, 11, 30), None, T0 + timedelta(hours=1))
    reopened = _merge(snoozed, "open", T0 + timedelta(hours=2), date(2026, 12, 1))
    assert reopened is not None and reopened.snooze_until is None


def test_newer_snooze_is_refused_when_the_follow_up_is_done() -> None:
    done = FollowUpState("done", None, TODAY, T0)
    with pytest.raises(RuleError, match="reopen"):
        _merge(done, "snoozed", T0 + timedelta(hours=1), date(2026, 11, 30))


def test_newer_snooze_is_refused_when_it_has_no_date() -> None:
    with pytest.raises(RuleError, match="until when"):
        _merge(OPEN, "snoozed", T0 + timedelta(hours=1))


def test_change_from_a_fast_clock_is_stored_at_the_servers_time() -> None:
    now = T0 + timedelta(minutes=10)
    merged = _merge(OPEN, "done", now + timedelta(hours=5), now=now)
    assert merged is not None and merged.changed_at == now


def test_later_change_applies_when_the_stored_one_came_from_a_fast_clock() -> None:
    # Stored before times were clamped: five hours ahead of the server.
    ahead = FollowUpState("done", None, TODAY, T0 + timedelta(hours=5))
    merged = _merge(ahead, "open", T0 + timedelta(seconds=1), now=T0 + timedelta(seconds=1))
    assert merged == FollowUpState("open", None, None, T0 + timedelta(seconds=1))


def test_two_fast_clock_changes_keep_their_order_when_synced_at_one_instant() -> None:
    now = T0 + timedelta(minutes=10)
    done = _merge(OPEN, "done", now + timedelta(hours=5), now=now)
    assert done is not None
    reopened = _merge(done, "open", now + timedelta(hours=5, minutes=1), now=now)
    assert reopened is not None and reopened.status == "open"
    assert now < reopened.changed_at <= now + timedelta(milliseconds=1)
