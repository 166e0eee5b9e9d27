"""Rules the test suite itself keeps: browser tests are marked, CI never skips PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_postgres

ROOT = Path(__file__).resolve().parents[2]
AWAY = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"


def test_unreachable_postgres_fails_the_run_under_ci() -> None:
    with pytest.raises(pytest.fail.Exception, match="CI=true needs PostgreSQL"):
        require_postgres(AWAY, ci=True)


def test_unreachable_postgres_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        require_postgres(AWAY, ci=False)


def test_every_test_that_drives_chromium_is_marked_e2e() -> None:
    browser = [
        path
        for path in (ROOT / "tests").rglob("test_*.py")
        if "from playwright" in path.read_text(encoding="utf-8")
    ]
    assert browser
    outside = [path for path in browser if (ROOT / "tests" / "e2e") not in path.parents]
    assert all("pytestmark = pytest.mark.e2e" in path.read_text() for path in outside)
    # Everything under tests/e2e is marked by tests/conftest.py. Collected in this
    # process: a new one spends seconds importing pytest's plugins again.
    collected = Collected()
    # A module that fails to import would be neither kept nor deselected: the run must be clean.
    outcome = pytest.main(
        [
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not e2e",
            str(ROOT / "tests/e2e"),
        ],
        plugins=[collected],
    )
    assert outcome in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    assert collected.deselected
    assert collected.kept == []


class Collected:
    """What a pytest run collected, as a plugin of it: the tests it kept and deselected."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.deselected: list[str] = []

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += [item.nodeid for item in items]

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.kept = [item.nodeid for item in session.items]
