"""A file staged for the Import page's preview lives an hour at most, imported or not."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_pwa.services import import_staging
from crm_pwa.services.errors import NotFound
from crm_pwa.settings import get_settings

CARD = b"BEGIN:VCARD\nVERSION:3.0\nFN:Ana Silva\nEND:VCARD\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path / "imports"
    get_settings.cache_clear()


def _age(folder: Path, staged_id: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(folder / staged_id, (then, then))


def test_a_file_left_after_its_preview_is_deleted_when_the_next_one_is_staged(
    folder: Path,
) -> None:
    abandoned = import_staging.stage(CARD)
    recent = import_staging.stage(CARD)
    _age(folder, abandoned, import_staging.LIFETIME.total_seconds() + 60)

    newest = import_staging.stage(CARD)

    assert sorted(path.name for path in folder.iterdir()) == sorted([recent, newest])
    assert import_staging.read_staged(recent) == CARD


def test_an_abandoned_file_is_gone_when_read_and_the_hourly_sweep_deletes_it(
    folder: Path,
) -> None:
    abandoned = import_staging.stage(CARD)
    other = import_staging.stage(CARD)
    _age(folder, abandoned, import_staging.LIFETIME.total_seconds() + 60)
    _age(folder, other, import_staging.LIFETIME.total_seconds() + 60)

    with pytest.raises(NotFound, match="choose it again"):
        import_staging.read_staged(abandoned)
    assert import_staging.forget_abandoned() == 1
    assert list(folder.iterdir()) == []
