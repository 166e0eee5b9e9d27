"""Hashing places: a request beyond them is refused at once; a command waits its turn."""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from crm_pwa.db.user import User
from crm_pwa.services import auth, passwords
from crm_pwa.services.errors import ServerBusy
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import NOW, make_user
from tests.utils.factories import PASSWORD as FACTORY_PASSWORD

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


def test_a_hash_of_older_parameters_is_made_anew_with_todays_at_the_next_sign_in(
    db: Database,
) -> None:
    # argon2-cffi's default (64 MiB, three passes, four lanes): what Rapport stored before.
    older = PasswordHasher().hash(FACTORY_PASSWORD)
    with db.session() as session:
        user = make_user(session, "kept@example.com")
        user.password_hash = older
        session.add(user)
        session.commit()

    with db.session() as session:
        auth.sign_in(session=session, email="kept@example.com", password=FACTORY_PASSWORD, now=NOW)
        session.commit()

    with db.session() as session:
        stored = session.exec(select(User).where(User.email == "kept@example.com")).one()
    hasher = passwords._hasher(get_settings().fast_password_hashing)[0]
    assert stored.password_hash != older
    assert not hasher.check_needs_rehash(stored.password_hash)
    assert passwords.password_matches(stored.password_hash, FACTORY_PASSWORD)


def test_a_current_hash_is_left_as_it_is_at_sign_in(db: Database) -> None:
    with db.session() as session:
        current = make_user(session, "current@example.com").password_hash

    with db.session() as session:
        auth.sign_in(
            session=session, email="current@example.com", password=FACTORY_PASSWORD, now=NOW
        )
        session.commit()

    with db.session() as session:
        stored = session.exec(select(User).where(User.email == "current@example.com")).one()
    assert stored.password_hash == current
