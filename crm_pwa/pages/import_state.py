"""The Import page's state: a file (or the phone's contacts) -> preview and mapping -> report.

The upload itself shows its progress from the browser; reading and importing
run as background events on a worker thread, so the page (and the rest of the
app) stays usable while a large file is read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from crm_pwa import clock
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.csv_import import FIELDS
from crm_pwa.domain.import_file import MAX_IMPORT_BYTES, TOO_LARGE
from crm_pwa.services import import_staging
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_import import ImportReport, import_contacts
from crm_pwa.services.errors import ServiceError
from crm_pwa.state.session import SessionState

UPLOAD_ID = "import-file"
PICKED_NAME = "Contacts picked on this phone"
SAMPLE_VALUES = 3


@dataclass(frozen=True)
class ColumnView:
    name: str
    field: str
    examples: str


@dataclass(frozen=True)
class LineErrorView:
    line: int
    error: str


def _run(actor: Actor, staged_id: str, mapping: dict[str, str] | None, dry_run: bool) -> Any:
    with session_scope() as session:
        return import_contacts(
            session=session,
            actor=actor,
            data=import_staging.read_staged(staged_id),
            now=clock.now(),
            dry_run=dry_run,
            mapping=mapping,
        )


def _columns(report: ImportReport) -> list[ColumnView]:
    return [
        ColumnView(
            name=column,
            field=report.mapping.get(column, ""),
            examples=", ".join(
                row[index].strip().replace("\n", " ")
                for row in report.sample[:SAMPLE_VALUES]
                if index < len(row) and row[index].strip()
            ),
        )
        for index, column in enumerate(report.columns)
    ]


class ImportState(SessionState):
    file_name: rx.Field[str] = rx.field("")
    # Server-side only (underscore): which staged file the preview is of.
    _staged: str = ""
    _mapping: dict[str, str] = {}
    progress: rx.Field[int] = rx.field(0)
    uploading: rx.Field[bool] = rx.field(False)
    working: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    previewed: rx.Field[bool] = rx.field(False)
    imported: rx.Field[bool] = rx.field(False)
    format: rx.Field[str] = rx.field("")
    created: rx.Field[int] = rx.field(0)
    updated: rx.Field[int] = rx.field(0)
    skipped: rx.Field[int] = rx.field(0)
    errors: rx.Field[list[LineErrorView]] = rx.field(default_factory=list)
    columns: rx.Field[list[ColumnView]] = rx.field(default_factory=list)
    picker: rx.Field[bool] = rx.field(False)

    @rx.var
    def field_options(self) -> list[list[str]]:
        return [[key, label] for key, label in FIELDS.items()]

    @rx.event
    async def load(self) -> EventSpec | None:
        if await self._actor_off_loop() is None:
            return self._to_sign_in()
        self._start_over()
        return None

    def _start_over(self) -> None:
        import_staging.discard(self._staged)
        self._staged = ""
        self._mapping = {}
        self.file_name = ""
        self.progress = 0
        self.uploading = False
        self.working = False
        self.error = ""
        self.previewed = False
        self.imported = False
        self.errors = []
        self.columns = []

    @rx.event
    def offer_picker(self, available: bool) -> None:
        self.picker = bool(available)

    @rx.event
    def start_over(self) -> None:
        self._start_over()

    @rx.event
    def upload_progress(self, progress: dict[str, Any]) -> None:
        self.uploading = True
        self.progress = round(float(progress.get("progress", 0)) * 100)

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> EventSpec | None:
        self.uploading = False
        if not files:
            return None
        chosen = files[0]
        data = await chosen.read(MAX_IMPORT_BYTES + 1)
        return self._stage(chosen.filename or "file", data)

    @rx.event
    def picked(self, vcard: str | None) -> EventSpec | None:
        """The phone's contacts, as the vCard text the Contact Picker script wrote."""
        if not vcard:
            return None
        return self._stage(PICKED_NAME, vcard.encode())

    def _stage(self, name: str, data: bytes) -> EventSpec | None:
        self._start_over()
        self.file_name = name
        if len(data) > MAX_IMPORT_BYTES:
            self.error = TOO_LARGE
            return None
        self._staged = import_staging.stage(data)
        return ImportState.preview

    @rx.event
    def map_column(self, column: str, field: str) -> EventSpec:
        self._mapping = {view.name: view.field for view in self.columns} | {column: field}
        return ImportState.preview

    @rx.event(background=True)
    async def preview(self) -> None:
        await self._work(dry_run=True)

    @rx.event(background=True)
    async def run_import(self) -> None:
        await self._work(dry_run=False)

    async def _work(self, *, dry_run: bool) -> None:
        async with self:
            actor = await self._actor_off_loop()
            staged, mapping = self._staged, self._mapping or None
            if actor is None or not staged or self.working:
                return
            self.working = True
            self.error = ""
        try:
            report = await asyncio.to_thread(_run, actor, staged, mapping, dry_run)
        except ServiceError as refused:
            async with self:
                self.working = False
                self.error = refused.message
            return
        async with self:
            self.working = False
            self._show(report)
            if not dry_run:
                self.imported = True
                import_staging.discard(self._staged)
                self._staged = ""

    def _show(self, report: ImportReport) -> None:
        self.previewed = True
        self.format = report.format
        self.created = report.created
        self.updated = report.updated
        self.skipped = report.skipped
        self.errors = [LineErrorView(line=e.line, error=e.error) for e in report.errors]
        self.columns = _columns(report)
