"""Settings: one typed, checked object, and the only reader of the environment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crm_pwa import clock
from crm_pwa.settings import SettingsError, get_settings

PACKAGE = Path(__file__).resolve().parents[2] / "crm_pwa"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_only_settings_reads_the_environment() -> None:
    readers = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["settings.py"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RAPPORT_TIME_ZONE", "Pacific/Atlantis", "RAPPORT_TIME_ZONE='Pacific/Atlantis' is not"),
        (
            "RAPPORT_SCHEDULER",
            "maybe",
            "RAPPORT_SCHEDULER='maybe' must be one of 'on', 'off', 'queue'",
        ),
        ("RAPPORT_DATABASE_URL", "rapport.db", "is not a database URL"),
        # The job queue lives in PostgreSQL; the test settings use SQLite.
        ("RAPPORT_SCHEDULER", "queue", "RAPPORT_SCHEDULER=queue keeps its jobs in PostgreSQL"),
        ("RAPPORT_WORKER_CONCURRENCY", "0", "RAPPORT_WORKER_CONCURRENCY='0' must be a whole"),
        ("RAPPORT_VAPID_SUBJECT", "ops@example.com", "must start with mailto:"),
        # The URL may hold a password: the message does not repeat it.
        ("RAPPORT_SMTP_URL", "mail.example.com:25", "RAPPORT_SMTP_URL must start with one of smtp"),
        ("RAPPORT_SMTP_PER_SECOND", "0", "RAPPORT_SMTP_PER_SECOND='0' must be a whole"),
        ("RAPPORT_PUBLIC_URL", "crm.example.com", "must start with https://"),
    ],
)
def test_settings_refuse_a_value_that_cannot_work_and_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=re.escape(message)):
        get_settings()


def test_clock_moves_by_the_days_in_the_settings_clock_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    days = tmp_path / "clock"
    days.write_text("2")
    monkeypatch.setenv("RAPPORT_CLOCK_FILE", str(days))

    assert get_settings().clock_file == days
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(days=2) - timedelta(minutes=1) < ahead <= timedelta(days=2)
    days.write_text("0")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
