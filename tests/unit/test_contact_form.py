"""The contact form's strings, as the contact services take them."""

import uuid
from datetime import UTC, date, datetime

import pytest

from crm_pwa.components.contact_header import contact_header
from crm_pwa.domain.rules import RuleError
from crm_pwa.pages.contact_form import contact_fields
from crm_pwa.services.contact_card import ContactCard
from crm_pwa.services.contacts import ContactPublic, HealthPublic


def test_contact_fields_split_tags_and_read_the_checkbox_when_the_form_is_filled() -> None:
    fields = contact_fields(
        {
            "name": "Dana Reyes",
            "tags": "renewal, vip,, ",
            "rhythm_days": "14",
            "do_not_contact": "on",
        }
    )
    assert [tag.strip() for tag in fields["tags"]] == ["renewal", "vip"]
    assert fields["rhythm_days"] == 14
    assert fields["do_not_contact"] is True


def test_contact_fields_fall_back_to_the_tiers_rhythm_when_rhythm_is_empty() -> None:
    fields = contact_fields({"name": "Dana Reyes", "rhythm_days": "  "})
    assert fields["rhythm_days"] is None
    assert fields["do_not_contact"] is False
    assert fields["tags"] == []


@pytest.mark.parametrize("rhythm", ["two weeks", "1.5"])
def test_contact_fields_refuse_the_rhythm_when_it_is_not_a_whole_number(rhythm: str) -> None:
    with pytest.raises(RuleError, match="number") as refused:
        contact_fields({"name": "Dana Reyes", "rhythm_days": rhythm})
    assert refused.value.field == "rhythm_days"


def test_contact_fields_read_a_grouped_rhythm_when_typed_with_a_comma() -> None:
    assert contact_fields({"name": "Dana Reyes", "rhythm_days": "1,000"})["rhythm_days"] == 1000


def test_the_card_shows_a_stored_phone_formatted_for_people_and_dials_it_as_stored() -> None:
    contact = ContactPublic(
        id=uuid.uuid4(),
        name="Dana Reyes",
        company="",
        title="",
        kind="customer",
        tier="medium",
        rhythm_days=None,
        effective_rhythm_days=30,
        phone="+14155551004",
        phone_digits="14155551004",
        email="",
        address="",
        tags=[],
        connection_notes="",
        do_not_contact=False,
        owner_id=uuid.uuid4(),
        last_interaction_at=None,
        updated_at=datetime(2026, 11, 30, tzinfo=UTC),
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        open_follow_ups=0,
        health=HealthPublic(score=None, band="new", reasons=[]),
    )
    card = ContactCard(
        contact=contact,
        interactions=[],
        open_follow_ups=[],
        complaints=[],
        opportunities=[],
        events=[],
        currency="USD",
        owner_name="Riley Rep",
    )
    header = contact_header(card, date(2026, 11, 30), "America/Los_Angeles")
    assert header.phone == "+1 415-555-1004"
    assert header.tel_href == "tel:+14155551004"
