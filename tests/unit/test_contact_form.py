"""The contact form's strings, as the contact services take them."""

import pytest

from crm_pwa.pages.contact_form import RhythmError, contact_fields


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


@pytest.mark.parametrize("rhythm", ["two weeks", "-3", "1.5"])
def test_contact_fields_refuse_the_rhythm_when_it_is_not_a_whole_number(rhythm: str) -> None:
    with pytest.raises(RhythmError, match="whole number of days"):
        contact_fields({"name": "Dana Reyes", "rhythm_days": rhythm})
