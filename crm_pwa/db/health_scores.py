"""Contacts' stored health read back in bulk, compared with a new score, and written."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.db.health_facts import ContactKey
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.raw_sql import RawSql
from crm_pwa.domain.health import Health


def stored_health(
    session: Session, keys: Sequence[ContactKey], *, by_range: bool
) -> dict[str, tuple[int | None, str, str]]:
    """The stored (score, band, reasons as JSON text) of the contacts `keys` (in id
    order), by `ContactKey.ref`.

    `by_range` reads every contact from the first key to the last, as `iter_facts`
    does for a whole-book rescore, whose batches hold every contact in between.
    Otherwise exactly these contacts: the few a sync touched have random ids that
    span most of the table.
    """
    raw = RawSql(session)
    where, params = (
        raw.between("id", keys[0].id, keys[-1].id)
        if by_range
        else raw.among("id", [key.id for key in keys])
    )
    return {
        ref: (score, band, reasons)
        for ref, score, band, reasons in raw.fetch(
            f"SELECT {raw.id_text('id')}, health_score, health_band, "
            f"{raw.json_text('health_reasons')} FROM {table_of(Contact).name} WHERE {where}",
            params,
        )
    }


def same_health(stored: tuple[int | None, str, str] | None, health: Health) -> bool:
    """Whether `stored_health` already holds `health`; the reasons' JSON is read only
    when score and band agree."""
    return (
        stored is not None
        and stored[0] == health.score
        and stored[1] == health.band
        and json.loads(stored[2]) == list(health.reasons)
    )


_HEALTH_FIELDS = ["health_score", "health_band", "health_reasons"]


def _forget_loaded_health(session: Session, raw: RawSql, refs: set[str]) -> None:
    """Contacts this session already holds reload their health on next use.

    The session's few loaded objects are matched against the written ids, not
    the other way round: a full rescore writes a hundred thousand."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Contact) and raw.key(identity_key(instance=loaded)[1][0]) in refs:
            session.expire(loaded, _HEALTH_FIELDS)


def write_health(session: Session, scores: dict[ContactKey, Health]) -> None:
    """Stores each contact's new health: one prepared UPDATE run for every row on
    SQLite, one UPDATE from arrays on PostgreSQL (a statement per row there would
    cost a round of the server's executor each)."""
    if not scores:
        return
    raw = RawSql(session)
    table = table_of(Contact).name
    if raw.sqlite:
        raw.run_many(
            f"UPDATE {table} SET health_score = ?, health_band = ?, health_reasons = ? "
            "WHERE id = ?",
            [
                (health.score, health.band, json.dumps(list(health.reasons)), key.ref)
                for key, health in scores.items()
            ],
        )
    else:
        raw.execute(
            f"UPDATE {table} SET health_score = u.score, health_band = u.band, "
            "health_reasons = u.reasons::json "
            "FROM unnest(%s::uuid[], %s::int[], %s::text[], %s::text[]) "
            "AS u(id, score, band, reasons) "
            f"WHERE {table}.id = u.id",
            [
                [key.ref for key in scores],
                [health.score for health in scores.values()],
                [health.band for health in scores.values()],
                [json.dumps(list(health.reasons)) for health in scores.values()],
            ],
        )
    _forget_loaded_health(session, raw, {key.ref for key in scores})
