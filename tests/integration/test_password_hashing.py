"""Hashing places: a request beyond them is refused at once; a command waits its turn."""

from __future__ import annotations

import threading

import pytest

from crm_pwa.services import passwords
from crm_pwa.services.errors import ServerBusy
from crm_pwa.settings import get_settings

PASSWORD = "a long enough passphrase 7"


def _all_places_taken() -> threading.BoundedSemaphore:
    _, places = passwords._hashing(get_settings().password_hash_slots)
    taken = 0
    while places.acquire(blocking=False):
        taken += 1
    assert taken > 0
    return places


def test_a_request_is_told_to_come_back_when_every_hashing_place_is_taken() -> None:
    places = _all_places_taken()
    try:
        with pytest.raises(ServerBusy):
            passwords.hash_password(PASSWORD)
    finally:
        while True:
            try:
                places.release()
            except ValueError:
                break


def test_a_command_waits_for_a_place_and_hashes_when_one_frees() -> None:
    places = _all_places_taken()
    hashed: list[str] = []

    def command() -> None:
        with passwords.patiently():
            hashed.append(passwords.hash_password(PASSWORD))

    worker = threading.Thread(target=command)
    worker.start()
    worker.join(timeout=0.5)
    assert worker.is_alive() and hashed == []
    places.release()
    worker.join(timeout=30)
    assert len(hashed) == 1 and passwords.password_matches(hashed[0], PASSWORD)
    while True:
        try:
            places.release()
        except ValueError:
            break
