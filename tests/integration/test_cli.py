"""The command line: users are created with a typed password; the demo loads once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, func, select

from crm_pwa.__main__ import main
from crm_pwa.db.contact import Contact
from crm_pwa.db.user import User
from crm_pwa.settings import get_settings
from tests.conftest import Database


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    yield answers


def test_create_user_signs_in_when_the_password_was_typed_twice(
    db: Database, client: TestClient, typed: list[str]
) -> None:
    typed.extend(["a long secret", "a long secret"])
    assert (
        main(
            [
                "create-user",
                "--email",
                "Kim@Example.com",
                "--name",
                "Kim Park",
                "--role",
                "manager",
                "--team",
                "North",
            ]
        )
        == 0
    )
    answer = client.post(
        "/api/v1/auth/token", json={"email": "kim@example.com", "password": "a long secret"}
    )
    assert answer.status_code == 200
    assert answer.json()["user"]["role"] == "manager"


def test_create_user_creates_nothing_when_the_passwords_differ(
    db: Database, typed: list[str]
) -> None:
    typed.extend(["a long secret", "another secret"])
    assert main(["create-user", "--email", "kim@example.com", "--name", "Kim"]) == 2
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_create_user_refuses_a_password_on_the_command_line(db: Database) -> None:
    with pytest.raises(SystemExit):
        main(
            [
                "create-user",
                "--email",
                "kim@example.com",
                "--name",
                "Kim",
                "--password",
                "on the command line",
            ]
        )


@pytest.fixture
def demo_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_DEMO", "on")
    get_settings.cache_clear()


@pytest.mark.usefixtures("demo_on")
def test_seed_demo_loads_once_when_run_twice(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo", "--if-empty"]) == 0
    assert "morgan@example.com" in capsys.readouterr().out
    with db.session() as session:
        contacts = session.exec(select(func.count()).select_from(Contact)).one()
    assert 140 <= contacts <= 160
    assert main(["seed-demo", "--if-empty"]) == 0
    assert "already loaded" in capsys.readouterr().out
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Contact)).one() == contacts


def _demo_fingerprint(session: Session) -> list[tuple[str, str, str, str]]:
    rows = session.exec(
        select(Contact.name, Contact.phone, Contact.tier, Contact.kind).order_by(Contact.name)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.usefixtures("demo_on")
def test_seed_demo_is_the_same_when_run_with_the_same_seed(db: Database) -> None:
    assert main(["seed-demo", "--seed", "3"]) == 0
    with db.session() as session:
        first = _demo_fingerprint(session)
        kinds = {row[3] for row in first}
        tiers = {row[2] for row in first}
    assert kinds == {"customer", "prospect", "partner", "supplier", "staff", "other"}
    assert tiers == {"high", "medium", "low"}
    with db.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    assert main(["seed-demo", "--seed", "3"]) == 0
    with db.session() as session:
        assert _demo_fingerprint(session) == first


@pytest.mark.parametrize("password", ["12345678", "short one", "password1234", "qwertyuiop12"])
def test_create_user_refuses_a_short_or_common_password_when_typed(
    db: Database, typed: list[str], capsys: pytest.CaptureFixture[str], password: str
) -> None:
    typed.extend([password, password])
    assert main(["create-user", "--email", "kim@example.com", "--name", "Kim"]) == 2
    assert "password" in capsys.readouterr().err.lower()
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_worker_on_sqlite_refuses_and_says_the_app_runs_the_jobs_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'rapport.db'}")
    get_settings.cache_clear()
    try:
        assert main(["worker"]) == 2
    finally:
        get_settings.cache_clear()

    assert "no worker is needed" in capsys.readouterr().err
