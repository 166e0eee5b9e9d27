"""A server set up by the README's production steps: no published passwords, private files."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from crm_pwa.__main__ import main
from crm_pwa.db.engine import make_engine
from crm_pwa.db.user import User
from crm_pwa.services import auth
from crm_pwa.services.demo import DEMO_PASSWORD
from crm_pwa.services.demo_accounts import warn_about_demo_accounts
from crm_pwa.settings import get_settings
from tests.conftest import Database

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _demo_users(db: Database, password: str = DEMO_PASSWORD) -> None:
    with db.session() as session:
        for email in ("morgan@example.com", "riley@example.com"):
            auth.create_user(
                session=session, email=email, name=email, password=password, role="rep", now=NOW
            )
        session.commit()


def _set(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def test_demo_is_refused_when_the_demo_setting_is_off(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RAPPORT_DEMO", raising=False)
    get_settings.cache_clear()
    assert main(["seed-demo", "--if-empty"]) == 2
    assert "RAPPORT_DEMO=on" in capsys.readouterr().err
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_production_start_warns_when_demo_accounts_open_with_the_published_password(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_users(db)
    _set(monkeypatch, REFLEX_ENV_MODE="prod", RAPPORT_DEMO="off")
    warn_about_demo_accounts()
    warning = capsys.readouterr().err
    assert "rapport-demo" in warning
    assert "morgan@example.com" in warning and "riley@example.com" in warning


def test_production_start_is_quiet_when_demo_passwords_were_changed(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_users(db, password="a private passphrase")
    _set(monkeypatch, REFLEX_ENV_MODE="prod", RAPPORT_DEMO="off")
    warn_about_demo_accounts()
    assert capsys.readouterr().err == ""


def test_demo_run_is_quiet_when_the_demo_setting_is_on(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_users(db)
    _set(monkeypatch, REFLEX_ENV_MODE="prod", RAPPORT_DEMO="on")
    warn_about_demo_accounts()
    assert capsys.readouterr().err == ""


def test_database_and_data_folder_are_owner_only_when_created(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    engine = make_engine(f"sqlite:///{data / 'rapport.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    engine.dispose()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
