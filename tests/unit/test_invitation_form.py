"""The invitation pages' words: the form's strings as the service takes them, the counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from crm_pwa.domain.invitation_guard import REASONS
from crm_pwa.pages.invitation_form import DEFAULT_MESSAGE, _invitation_in
from crm_pwa.pages.invitation_rows import REASON_LABELS, result_counts, when_label
from crm_pwa.services.invitation_models import Results

FORM = {
    "kind": "event",
    "title": "Spring workshop",
    "starts_at": "2026-12-07T18:00",
    "place": "Riverside office",
    "message": DEFAULT_MESSAGE,
    "contact_kind": "customer",
    "tier": "high",
    "band": "",
    "company": "",
    "tags": "vip, , renewal",
    "owner_id": "",
}


def test_the_event_starts_on_the_reps_own_clock_when_the_form_is_read() -> None:
    invitation = _invitation_in(FORM, "Europe/Berlin")
    assert invitation.starts_at == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert invitation.place == "Riverside office"
    assert when_label(invitation.starts_at, "Europe/Berlin") == "Mon 7 Dec 2026, 18:00"


def test_filters_left_at_any_filter_nothing_when_the_form_is_read() -> None:
    filters = _invitation_in(FORM, "UTC").filters
    assert (filters.kind, filters.tier, filters.band, filters.company) == (
        "customer",
        "high",
        None,
        None,
    )
    assert filters.tags == ["vip", "renewal"]
    assert filters.owner_id is None


def test_a_campaign_keeps_no_date_or_place_when_the_form_still_holds_them() -> None:
    invitation = _invitation_in({**FORM, "kind": "campaign"}, "UTC")
    assert (invitation.starts_at, invitation.place) == (None, "")


def test_an_unknown_placeholder_is_refused_when_the_form_is_read() -> None:
    with pytest.raises(ValidationError, match=r"\{firstname\}"):
        _invitation_in({**FORM, "message": "Dear {firstname}"}, "UTC")


def test_a_date_the_picker_would_not_give_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="date and time"):
        _invitation_in({**FORM, "starts_at": "next Tuesday"}, "UTC")


def test_every_reason_of_the_guard_has_words_when_the_counts_are_shown() -> None:
    assert set(REASON_LABELS) == set(REASONS)
    results = Results(
        invitations=1,
        invited=5,
        sent=5,
        excluded=2,
        excluded_by_reason={"open_complaint": 1, "no_email": 1},
        accepted=3,
        declined=1,
        attended=2,
        unsubscribed=0,
    )
    shown = {count.label: count.value for count in result_counts(results)}
    assert shown["Not invited: Open complaint"] == 1
    assert shown["Not invited: No e-mail address"] == 1
    assert (shown["Invited"], shown["Attended"], shown["Unsubscribed"]) == (5, 2, 0)
