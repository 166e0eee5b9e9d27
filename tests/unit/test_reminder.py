from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from crm_pwa.domain.reminder import (
    Reminder,
    ReminderCandidate,
    RepSchedule,
    follow_up_topic,
    plan_reminders,
)

FOLLOW_UP_ID = "5f0c8a52-3c1e-4d6b-9a57-0e6f1b2c3d4e"
CONTACT_ID = "9b1d2e3f-4a5b-4c6d-8e7f-001122334455"
TODAY = date(2026, 11, 19)  # a Thursday
LONDON = RepSchedule(time_zone="Europe/London")


def candidate(**changes: Any) -> ReminderCandidate:
    base = ReminderCandidate(
        follow_up_id=FOLLOW_UP_ID,
        contact_id=CONTACT_ID,
        contact_name="Dana Reyes",
        title="Send the revised quote",
        due_on=TODAY,
        status="open",
        snooze_until=None,
        last_reminded_on=None,
        do_not_contact=False,
    )
    return dataclasses.replace(base, **changes)


def at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A UTC instant; London is on UTC in November."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def plan_one(item: ReminderCandidate, now: datetime, schedule: RepSchedule = LONDON) -> Reminder:
    reminders = plan_reminders([item], schedule, now)
    assert len(reminders) == 1
    return reminders[0]


def test_nothing_is_sent_when_due_today_before_the_reminder_time() -> None:
    assert plan_reminders([candidate()], LONDON, at(8, 59)) == []


def test_due_today_is_reminded_when_the_reminder_time_is_reached() -> None:
    reminder = plan_one(candidate(), at(9, 0))

    assert reminder.title == "Call back Dana Reyes"
    assert reminder.body == "Promised today — Send the revised quote"
    assert reminder.urgency == "normal"
    assert reminder.url == f"/contacts/{CONTACT_ID}"
    assert reminder.local_date == TODAY


def test_overdue_is_reminded_with_high_urgency_when_quiet_hours_are_over() -> None:
    reminder = plan_one(candidate(due_on=date(2026, 11, 17)), at(8, 0))

    assert reminder.body == "Overdue since Tuesday 17 Nov — Send the revised quote"
    assert reminder.urgency == "high"


def test_overdue_body_says_yesterday_when_it_was_due_yesterday() -> None:
    reminder = plan_one(candidate(due_on=date(2026, 11, 18)), at(10))

    assert reminder.body == "Overdue since yesterday — Send the revised quote"


def test_overdue_body_names_the_year_when_it_was_due_in_another_year() -> None:
    reminder = plan_one(candidate(due_on=date(2025, 12, 30)), at(10))

    assert reminder.body.startswith("Overdue since Tuesday 30 Dec 2025 — ")


def test_body_is_only_the_promise_when_the_follow_up_has_no_title() -> None:
    assert plan_one(candidate(title="   "), at(10)).body == "Promised today"


def test_text_is_on_one_line_when_the_title_has_line_breaks() -> None:
    reminder = plan_one(candidate(title="Send\n the   revised\tquote"), at(10))

    assert reminder.body == "Promised today — Send the revised quote"


def test_nothing_is_sent_when_due_tomorrow() -> None:
    assert plan_reminders([candidate(due_on=date(2026, 11, 20))], LONDON, at(12)) == []


def test_nothing_is_sent_when_snoozed_until_tomorrow() -> None:
    snoozed = candidate(
        due_on=date(2026, 11, 17), status="snoozed", snooze_until=date(2026, 11, 20)
    )

    assert plan_reminders([snoozed], LONDON, at(12)) == []


def test_snoozed_follow_up_is_reminded_when_snoozed_until_today() -> None:
    snoozed = candidate(due_on=date(2026, 11, 17), status="snoozed", snooze_until=TODAY)

    assert plan_one(snoozed, at(12)).follow_up_id == FOLLOW_UP_ID


def test_nothing_is_sent_when_snoozed_without_an_end_date() -> None:
    snoozed = candidate(due_on=date(2026, 11, 17), status="snoozed", snooze_until=None)

    assert plan_reminders([snoozed], LONDON, at(12)) == []


def test_nothing_is_sent_when_open_but_snooze_until_is_still_ahead() -> None:
    item = candidate(due_on=date(2026, 11, 17), snooze_until=date(2026, 11, 21))

    assert plan_reminders([item], LONDON, at(12)) == []


def test_nothing_is_sent_when_the_follow_up_is_done() -> None:
    assert plan_reminders([candidate(status="done")], LONDON, at(12)) == []


def test_nothing_is_sent_when_already_reminded_today() -> None:
    assert plan_reminders([candidate(last_reminded_on=TODAY)], LONDON, at(12)) == []


def test_overdue_is_reminded_again_when_last_reminded_yesterday() -> None:
    item = candidate(due_on=date(2026, 11, 17), last_reminded_on=date(2026, 11, 18))

    assert plan_one(item, at(12)).urgency == "high"


def test_nothing_is_sent_when_the_contact_is_do_not_contact() -> None:
    assert plan_reminders([candidate(do_not_contact=True)], LONDON, at(12)) == []


@pytest.mark.parametrize("local", [time(20, 0), time(23, 59), time(0, 0), time(7, 59)])
def test_nothing_is_sent_when_inside_quiet_hours_that_wrap_midnight(local: time) -> None:
    overdue = candidate(due_on=date(2026, 11, 17))

    assert plan_reminders([overdue], LONDON, at(local.hour, local.minute)) == []


def test_nothing_is_sent_when_inside_quiet_hours_within_one_day() -> None:
    lunch = RepSchedule(time_zone="Europe/London", quiet_start=time(12), quiet_end=time(14))
    overdue = candidate(due_on=date(2026, 11, 17))

    assert plan_reminders([overdue], lunch, at(13)) == []
    assert len(plan_reminders([overdue], lunch, at(14))) == 1


def test_reminders_go_out_at_night_when_quiet_hours_are_empty() -> None:
    never_quiet = RepSchedule(time_zone="Europe/London", quiet_start=time(0), quiet_end=time(0))

    assert len(plan_reminders([candidate(due_on=date(2026, 11, 17))], never_quiet, at(3))) == 1


def test_due_today_waits_for_quiet_hours_to_end_when_the_reminder_time_is_inside_them() -> None:
    early = RepSchedule(time_zone="Europe/London", reminder_time=time(7, 0))

    assert plan_reminders([candidate()], early, at(7, 30)) == []
    assert len(plan_reminders([candidate()], early, at(8, 0))) == 1


def test_quiet_hours_are_the_reps_own_when_the_rep_is_in_another_time_zone() -> None:
    tokyo = RepSchedule(time_zone="Asia/Tokyo")
    overdue = candidate(due_on=date(2026, 11, 17))

    # Noon in UTC is 21:00 in Tokyo.
    assert plan_reminders([overdue], tokyo, at(12)) == []
    # 23:30 UTC on the 18th is 08:30 on the 19th in Tokyo.
    assert len(plan_reminders([overdue], tokyo, at(23, 30, day=date(2026, 11, 18)))) == 1


def test_today_is_the_reps_own_when_the_rep_is_in_another_time_zone() -> None:
    los_angeles = RepSchedule(time_zone="America/Los_Angeles")
    now = at(3)  # 19:00 on the 18th in Los Angeles, before its quiet hours
    due_19th = candidate(follow_up_id="a", due_on=TODAY)
    due_18th = candidate(follow_up_id="b", due_on=date(2026, 11, 18))

    reminders = plan_reminders([due_19th, due_18th], los_angeles, now)

    assert [r.follow_up_id for r in reminders] == ["b"]
    assert reminders[0].body.startswith("Promised today")
    assert reminders[0].local_date == date(2026, 11, 18)


def test_oldest_promise_comes_first_when_several_are_due() -> None:
    items = [
        candidate(follow_up_id="today", due_on=TODAY),
        candidate(follow_up_id="oldest", due_on=date(2026, 11, 2)),
        candidate(follow_up_id="older", due_on=date(2026, 11, 10)),
    ]

    assert [r.follow_up_id for r in plan_reminders(items, LONDON, at(10))] == [
        "oldest",
        "older",
        "today",
    ]


def test_planning_fails_when_now_has_no_time_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        plan_reminders([candidate()], LONDON, datetime(2026, 11, 19, 10))


def test_schedule_fails_when_the_time_zone_is_unknown() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        RepSchedule(time_zone="Mars/Olympus_Mons")


def test_topic_is_a_short_base64url_token_when_the_id_is_a_uuid() -> None:
    topic = plan_one(candidate(), at(10)).topic

    assert topic == "fu-" + FOLLOW_UP_ID.replace("-", "")[:29]
    assert len(topic) <= 32
    assert re.fullmatch(r"[A-Za-z0-9_-]+", topic)


@pytest.mark.parametrize(
    "follow_up_id", ["42", "x" * 80, "note/ä 1", "a" * 29 + "b", "a" * 29 + "c"]
)
def test_topic_is_a_short_base64url_token_when_the_id_is_not_a_uuid(follow_up_id: str) -> None:
    topic = follow_up_topic(follow_up_id)

    assert topic.startswith("fu-")
    assert len(topic) <= 32
    assert re.fullmatch(r"[A-Za-z0-9_-]+", topic)


def test_topics_differ_when_follow_ups_differ() -> None:
    ids = ["42", "43", "a" * 29 + "b", "a" * 29 + "c", FOLLOW_UP_ID, "note/1", "note 1"]

    assert len({follow_up_topic(i) for i in ids}) == len(ids)


def test_payload_carries_what_the_service_worker_shows_when_built() -> None:
    reminder = plan_one(candidate(), at(10))

    assert reminder.payload() == {
        "title": "Call back Dana Reyes",
        "body": "Promised today — Send the revised quote",
        "url": f"/contacts/{CONTACT_ID}",
        "tag": reminder.topic,
        "follow_up_id": FOLLOW_UP_ID,
        "actions": [
            {"action": "done", "title": "Done"},
            {"action": "snooze", "title": "Snooze 1 day"},
        ],
    }


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_payload_stays_under_3000_bytes_when_the_texts_are_huge(ensure_ascii: bool) -> None:
    item = candidate(
        contact_name="Dana 🌩️ Reyes" * 200,
        title='Quote “revised” 😀 "\\ ' * 500,
        due_on=date(2025, 11, 17),
    )

    reminder = plan_one(item, at(10))
    encoded = json.dumps(reminder.payload(), ensure_ascii=ensure_ascii).encode("utf-8")

    assert len(encoded) < 3000
    assert reminder.title.startswith("Call back Dana")
    assert reminder.title.endswith("…")
    assert reminder.body.startswith("Overdue since Monday 17 Nov 2025 — Quote")
    assert reminder.body.endswith("…")
