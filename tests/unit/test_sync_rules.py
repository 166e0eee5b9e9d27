"""How outbox items merge: replays are duplicates, the latest follow-up change wins."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from crm_pwa.domain.note_rules import RuleError
from crm_pwa.domain.sync import (
    MAX_BATCH_ITEMS,
    FollowUpState,
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


def test_replay_is_a_duplicate_when_the_same_rep_sends_the_same_note_again() -> None:
    contact, rep = uuid.uuid4(), uuid.uuid4()
    status = replayed_note_status(
        stored_contact_id=contact, stored_author_id=rep, contact_id=contact, author_id=rep
    )
    assert status == "duplicate"


@pytest.mark.parametrize("other", ["contact", "author"])
def test_reused_note_id_is_refused_when_it_belongs_to_another_note(other: str) -> None:
    contact, rep = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(RuleError, match="already used"):
        replayed_note_status(
            stored_contact_id=contact,
            stored_author_id=rep,
            contact_id=uuid.uuid4() if other == "contact" else contact,
            author_id=uuid.uuid4() if other == "author" else rep,
        )


def _merge(
    stored: FollowUpState,
    status: str,
    at: datetime,
    snooze_until: date | None = None,
    changed_on: date = TODAY,
) -> FollowUpState | None:
    return merge_follow_up_change(
        stored, status=status, snooze_until=snooze_until, changed_at=at, changed_on=changed_on
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
