"""`reflex run --env prod` starts Rapport's Granian: a dead worker is replaced, a stop bounded."""

from __future__ import annotations

import importlib

import granian.server
import pytest

from crm_pwa.app_server import RapportGranian
from crm_pwa.settings import get_settings


def test_rxconfig_makes_reflex_start_rapports_granian() -> None:
    importlib.import_module("rxconfig")
    assert granian.server.Server is RapportGranian


def test_a_dead_worker_is_replaced_and_a_stop_waits_the_grace_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = RapportGranian(target="crm_pwa.crm_pwa:app", workers=2)
    assert server.respawn_failed_workers
    assert server.workers_kill_timeout == 30
    monkeypatch.setenv("RAPPORT_SHUTDOWN_GRACE_SECONDS", "5")
    get_settings.cache_clear()
    assert RapportGranian(target="crm_pwa.crm_pwa:app").workers_kill_timeout == 5
    monkeypatch.undo()
    get_settings.cache_clear()
