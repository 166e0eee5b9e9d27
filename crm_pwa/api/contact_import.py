"""/api/v1/import: contacts from a vCard or CSV file, or a preview of what it would do."""

from __future__ import annotations

import json
from typing import IO, Annotated

from fastapi import APIRouter, File, Form, UploadFile

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.domain.import_file import MAX_IMPORT_BYTES, TOO_LARGE
from crm_pwa.services.contact_import import ImportReport, import_contacts
from crm_pwa.services.errors import Invalid, TooLarge

router = APIRouter(tags=["import"])
BAD_MAPPING = (
    'The mapping must be a JSON object of column name to field, e.g. {"Full name": "name"}.'
)


def read_upload(stream: IO[bytes]) -> bytes:
    """The file's bytes; TooLarge once more than the import limit has been read."""
    data = stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(TOO_LARGE)
    return data


def parse_mapping(raw: str | None) -> dict[str, str] | None:
    if raw is None or not raw.strip():
        return None
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as error:
        raise Invalid(BAD_MAPPING, "mapping") from error
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    ):
        raise Invalid(BAD_MAPPING, "mapping")
    return mapping


@router.post("/import", response_model=ImportReport, responses=refusals(401, 413, 422))
def import_file(
    session: DbSession,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="a vCard (.vcf) or CSV file, at most 20 MB")],
    mapping: Annotated[
        str | None, Form(description="CSV only: JSON object of column name to field")
    ] = None,
    dry_run: bool = False,
) -> ImportReport:
    """Adds the file's people to the caller's contacts; with dry_run, only says what it would do.

    A person the caller already has (same e-mail or phone) is updated, never added twice.
    """
    return import_contacts(
        session=session,
        actor=actor,
        data=read_upload(file.file),
        now=clock.now(),
        dry_run=dry_run,
        mapping=parse_mapping(mapping),
    )
