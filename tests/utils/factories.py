"""Builders for test data, written through the same services the app uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.db.user import Team, User
from crm_pwa.services import auth
from crm_pwa.services.contact_index import index_contact

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def make_team(session: Session, name: str = "West") -> Team:
    team = Team(name=name, created_at=NOW)
    session.add(team)
    session.commit()
    return team


def make_user(
    session: Session, email: str, role: str = "rep", team: Team | None = None, name: str = ""
) -> User:
    user = auth.create_user(
        session=session,
        email=email,
        name=name or email.split("@")[0].title(),
        password=PASSWORD,
        role=role,
        now=NOW,
        team=team,
    )
    session.commit()
    return user


def make_contact(session: Session, owner: User, name: str = "Dana Reyes", **fields: Any) -> Contact:
    contact = Contact(owner_id=owner.id, name=name, created_at=NOW, updated_at=NOW, **fields)
    session.add(contact)
    session.flush()
    index_contact(session, contact)
    session.commit()
    return contact


def bearer(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
