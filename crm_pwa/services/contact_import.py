"""Importing a vCard or CSV file into the caller's contacts, or previewing what it would do.

Load (who the caller already has, by e-mail and phone) -> decide line by line
(domain/import_rules.py) -> persist: new contacts in bulk, the others through
update_contact, so an import's edits land on the timeline like any other edit.
A line that is wrong is reported with its reason and changes nothing; the other
lines still come in. The audit trail records the counts, never a person.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from crm_pwa.db.contact_import import insert_contacts, known_contacts
from crm_pwa.db.shelf import owner_shelf
from crm_pwa.db.user import User
from crm_pwa.domain.contact_rules import RuleError
from crm_pwa.domain.health import NEW_REASON
from crm_pwa.domain.import_file import ImportRefused, LineError, ReadFile
from crm_pwa.domain.import_reader import read_import
from crm_pwa.domain.import_rules import ContactValues, check_contact, import_changes
from crm_pwa.domain.search import contact_terms
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.audit import record_audit
from crm_pwa.services.auth import normalise_email
from crm_pwa.services.contact_editing import ContactUpdate, update_contact
from crm_pwa.services.errors import Invalid, NotFound


class LineProblem(BaseModel):
    line: int
    error: str


class ImportReport(BaseModel):
    created: int
    updated: int
    skipped: int
    errors: list[LineProblem]
    # What the preview shows: the format found, and for a CSV its columns, the
    # field each feeds (adjustable) and the first rows as they are in the file.
    format: str
    encoding: str
    columns: list[str]
    mapping: dict[str, str]
    sample: list[list[str]]


@dataclass
class _Plan:
    """What the import will do: new contacts (by id), and changes to existing ones."""

    creates: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    updates: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, uuid.UUID] = field(default_factory=dict)
    known: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    updated_lines: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)

    def match(self, values: ContactValues) -> uuid.UUID | None:
        for key in _keys(values.emails, values.phones):
            if key in self.by_key:
                return self.by_key[key]
        return None

    def remember(self, contact_id: uuid.UUID, values: ContactValues) -> None:
        for key in _keys(values.emails, values.phones):
            self.by_key.setdefault(key, contact_id)


# The columns an import does not set, as a new contact has them. Built without a
# model instance per row: validating 10,000 of them costs more than the INSERTs.
NEW_CONTACT: dict[str, Any] = {
    "kind": "customer",
    "tier": "medium",
    "rhythm_days": None,
    "do_not_contact": False,
    "last_interaction_at": None,
    "health_score": None,
    "health_band": "new",
    # No interaction yet: what scoring a new contact gives, without a query each.
    "health_reasons": [NEW_REASON],
}


def _keys(emails: tuple[str, ...], phones: tuple[str, ...]) -> list[str]:
    return [f"e:{email.lower()}" for email in emails] + [f"p:{phone}" for phone in phones]


def import_contacts(
    *,
    session: Session,
    actor: Actor,
    data: bytes,
    now: datetime,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Imports into the caller's own book; Invalid when the file as a whole cannot be read."""
    try:
        read = read_import(data, mapping)
    except ImportRefused as refused:
        raise Invalid(refused.message, "file") from refused
    plan = _plan(session, actor, read)
    if not dry_run:
        _persist(session, actor, plan, now)
        record_audit(
            session,
            actor_id=actor.id,
            action="contacts.imported",
            object_type="user",
            object_id=actor.id,
            at=now,
            detail={
                "format": read.format,
                "created": len(plan.creates),
                "updated": plan.updated_lines,
                "skipped": plan.skipped,
                "errors": len(plan.errors),
            },
        )
        session.flush()
    return ImportReport(
        created=len(plan.creates),
        updated=plan.updated_lines,
        skipped=plan.skipped,
        errors=[LineProblem(line=error.line, error=error.error) for error in plan.errors],
        format=read.format,
        encoding=read.encoding,
        columns=read.columns,
        mapping=read.mapping,
        sample=read.sample,
    )


def owner_by_email(session: Session, email: str) -> Actor:
    """The active user a command-line import is for."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.is_active:
        raise NotFound(f"No active user has the e-mail {email}.")
    return Actor.of(user)


def _plan(session: Session, actor: Actor, read: ReadFile) -> _Plan:
    plan = _Plan(errors=list(read.errors))
    for known in known_contacts(session, visible_owner_ids(session, actor)):
        plan.known[known["id"]] = known
        emails = (known["email"],) if known["email"] else ()
        for key in _keys(emails, (known["phone"],) if known["phone"] else ()):
            plan.by_key.setdefault(key, known["id"])
    for person in read.contacts:
        try:
            values = check_contact(person)
        except RuleError as error:
            plan.errors.append(LineError(person.line, error.message))
            continue
        match = plan.match(values)
        if match is None:
            contact_id = uuid.uuid4()
            plan.creates[contact_id] = values.fields()
        else:
            contact_id = match
            current = _current(plan, contact_id)
            changes = import_changes(current, values)
            if not changes:
                plan.skipped += 1
                continue
            current.update(changes)
            if contact_id not in plan.creates:
                plan.updates.setdefault(contact_id, {}).update(changes)
            plan.updated_lines += 1
        plan.remember(contact_id, values)
    plan.errors.sort(key=lambda error: error.line)
    return plan


def _current(plan: _Plan, contact_id: uuid.UUID) -> dict[str, Any]:
    """The contact as it stands after the lines before this one."""
    if contact_id in plan.creates:
        return plan.creates[contact_id]
    return plan.known[contact_id]


def _persist(session: Session, actor: Actor, plan: _Plan, now: datetime) -> None:
    contacts = [
        {
            **NEW_CONTACT,
            **values,
            "id": contact_id,
            "owner_id": actor.id,
            # A later line of the file may have filled the phone.
            "phone_digits": values["phone"].lstrip("+"),
            "created_at": now,
            "updated_at": now,
        }
        for contact_id, values in plan.creates.items()
    ]
    # Worked out as they are written: PostgreSQL stores one batch while the next is built.
    terms = ((row["id"], contact_terms(row)) for row in contacts)
    if contacts:
        insert_contacts(session, owner_shelf(session, actor.id), contacts, terms)
    for contact_id, changes in plan.updates.items():
        update_contact(
            session=session,
            actor=actor,
            contact_id=contact_id,
            contact_in=ContactUpdate(**changes),
            now=now,
        )
