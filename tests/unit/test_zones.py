"""The zone picker offers places people live, by region and city, with today's offset."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_pwa.domain.zones import canonical_zone, offered_zones, zone_groups, zone_label

WINTER = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_names_nobody_lives_in_are_not_offered() -> None:
    offered = offered_zones()
    for name in ("Factory", "localtime", "Etc/GMT+5", "Etc/UTC", "US/Pacific", "GB", "posixrules"):
        assert name not in offered
    # Old names are not listed twice; a phone that reports one gets the zone it stands for.
    assert "Asia/Calcutta" not in offered
    assert "America/Buenos_Aires" not in offered
    assert canonical_zone("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical_zone("US/Pacific") == "America/Los_Angeles"
    assert canonical_zone("Asia/Kolkata") == "Asia/Kolkata"
    for name in ("UTC", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata"):
        assert name in offered


def test_label_says_the_city_and_its_offset_when_shown_now() -> None:
    assert zone_label("America/Los_Angeles", WINTER) == "Los Angeles (UTC−08:00)"
    assert zone_label("America/Los_Angeles", SUMMER) == "Los Angeles (UTC−07:00)"
    assert zone_label("Asia/Kolkata", WINTER) == "Kolkata (UTC+05:30)"
    assert zone_label("Pacific/Auckland", WINTER) == "Auckland (UTC+13:00)"
    assert zone_label("America/Argentina/Buenos_Aires", WINTER) == (
        "Buenos Aires, Argentina (UTC−03:00)"
    )
    assert zone_label("UTC", WINTER) == "UTC (UTC+00:00)"


def test_groups_list_utc_first_then_regions_with_cities_in_order() -> None:
    groups = zone_groups(WINTER)

    assert [group.region for group in groups][:3] == ["UTC", "Africa", "America"]
    america = next(group for group in groups if group.region == "America")
    labels = [choice.label for choice in america.zones]
    assert labels == sorted(labels)
    assert "Los Angeles (UTC−08:00)" in labels
    offered = {choice.name for group in groups for choice in group.zones}
    assert offered == set(offered_zones())
