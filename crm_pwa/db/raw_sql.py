"""Hand-written SQL on a session's own connection, for the paths that read or write
every contact."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session


class RawSql:
    """Hand-written SQL on the session's own connection, for the paths that score everyone.

    A full snapshot reads over a million rows and writes a hundred thousand:
    SQLAlchemy's per-row type processing and Row objects would cost more than
    the database. Values go in as the app's column types store them (on
    SQLite UUIDs as 32 hex digits and UTC times as text; native on PostgreSQL)
    and rows come back as plain tuples of text.
    """

    def __init__(self, session: Session) -> None:
        # Pending changes must be in the database before it is read directly.
        session.flush()
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        connection = session.connection().connection.dbapi_connection
        if connection is None:
            raise RuntimeError("the session's connection is closed")
        self._connection = connection

    def id_value(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def key(self, value: uuid.UUID) -> str:
        """A contact id as `id_text` returns it."""
        return value.hex if self.sqlite else str(value)

    def moment(self, value: datetime) -> Any:
        if self.sqlite:
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def id_text(self, column: str) -> str:
        return column if self.sqlite else f"{column}::text"

    def utc_time(self, column: str) -> str:
        """A stored time in UTC: on SQLite its stored text "YYYY-MM-DD HH:MM:SS.ffffff",
        on PostgreSQL a naive datetime (which the driver builds in C, unlike text
        that `to_char` would format row by row)."""
        if self.sqlite:
            return column
        return f"({column} AT TIME ZONE 'UTC')"

    def epoch_seconds(self, column: str) -> str:
        """A stored UTC time as whole seconds since 1970 (an integer the database
        makes, so a million of them cost no Python parsing)."""
        if self.sqlite:
            # unixepoch() (SQLite 3.38) costs a third less than strftime('%s').
            if sqlite3.sqlite_version_info >= (3, 38):
                return f"unixepoch({column})"
            return f"CAST(strftime('%s', {column}) AS INTEGER)"
        return f"floor(date_part('epoch', {column}))::bigint"

    def json_text(self, column: str) -> str:
        """A JSON column as its text, for `json.loads` (which beats any driver's)."""
        return column if self.sqlite else f"{column}::text"

    def among(self, column: str, ids: Sequence[uuid.UUID]) -> tuple[str, list[Any]]:
        if self.sqlite:
            return f"{column} IN ({', '.join('?' for _ in ids)})", [value.hex for value in ids]
        return f"{column} = ANY(%s)", [list(ids)]

    def between(self, column: str, first: uuid.UUID, last: uuid.UUID) -> tuple[str, list[Any]]:
        return f"{column} BETWEEN {self.mark} AND {self.mark}", [
            self.id_value(first),
            self.id_value(last),
        ]

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Runs `sql` once; returns how many rows it changed."""
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Runs `sql` once per row; returns how many rows it changed in all."""
        if not rows:
            return 0
        cursor = self._connection.cursor()
        try:
            cursor.executemany(sql, rows)
            return int(cursor.rowcount)
        finally:
            cursor.close()
