"""Guessing is braked per account and per client, races count, and the owner keeps a way in."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa.api.app import create_api
from crm_pwa.db.sign_in import SignInStreak
from crm_pwa.services import passwords
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import PASSWORD, make_user

EMAIL = "dana@example.com"
TOKEN = "/api/v1/auth/token"


@pytest.fixture
def clock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "clock"
    path.write_text("0")
    monkeypatch.setenv("RAPPORT_CLOCK_FILE", str(path))
    # Settings are read once: read them again with the clock file in them.
    get_settings.cache_clear()
    return path


def _from(address: str) -> TestClient:
    return TestClient(create_api(), client=(address, 50000))


@pytest.fixture
def attacker(db: Database) -> Iterator[TestClient]:
    with _from("203.0.113.66") as client:
        yield client


@pytest.fixture
def owner(db: Database) -> Iterator[TestClient]:
    with _from("198.51.100.7") as client:
        yield client


def _guess(client: TestClient, email: str = EMAIL, **extra: str) -> int:
    answer = client.post(TOKEN, json={"email": email, "password": "not the password", **extra})
    return answer.status_code


@pytest.fixture
def patient_real_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 cost, a hashing thread for each counted guess and patient waits.

    Set before the API is built: its sign-in lane is as wide as the hashing
    threads and waits at most RAPPORT_API_WAIT_SECONDS in line. On a loaded test
    machine the low-priority hashes could outwait either limit and answer 503,
    which is not what the test is about.
    """
    monkeypatch.setenv("RAPPORT_FAST_PASSWORD_HASHING", "0")
    monkeypatch.setenv("RAPPORT_PASSWORD_HASH_SLOTS", "5")
    monkeypatch.setenv("RAPPORT_API_WAIT_SECONDS", "300")
    monkeypatch.setattr(passwords, "LONGEST_WAIT_SECONDS", 300.0)
    get_settings.cache_clear()


def test_parallel_wrong_passwords_get_at_most_five_401s_when_sent_at_once(
    patient_real_hashing: None, attacker: TestClient, session: Session
) -> None:
    # Real argon2 cost: the check takes long enough for parallel guesses to overlap.
    make_user(session, EMAIL)
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(lambda _: _guess(attacker), range(10)))
    assert codes == [401] * 5 + [429] * 5


def test_owner_signs_in_from_a_known_device_when_the_account_is_under_attack(
    owner: TestClient, attacker: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    first = owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    device = first.json()["device_token"]
    assert len(device) >= 43
    assert [_guess(attacker) for _ in range(8)] == [401] * 5 + [429] * 3
    # The address is braked, from the owner's address too, unless the device is known.
    assert owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD}).status_code == 429
    again = owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD, "device_token": device})
    assert again.status_code == 200
    assert again.json()["device_token"] == device
    # A device token of someone else's account is no way around the brake.
    make_user(session, "eve@example.com")
    eves = attacker.post(TOKEN, json={"email": "eve@example.com", "password": PASSWORD})
    stolen_route = _guess(attacker, device_token=eves.json()["device_token"])
    assert stolen_route == 429


def test_known_device_is_braked_on_its_own_when_it_guesses(
    owner: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    device = owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD}).json()["device_token"]
    codes = [_guess(owner, device_token=device) for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_unknown_address_is_braked_when_guessed_like_a_real_one(
    attacker: TestClient, session: Session
) -> None:
    assert [_guess(attacker, "nobody@example.com") for _ in range(6)] == [401] * 5 + [429]


def test_one_client_is_braked_when_it_guesses_across_many_accounts(
    attacker: TestClient, owner: TestClient, session: Session
) -> None:
    codes = [_guess(attacker, f"user{n}@example.com") for n in range(21)]
    assert codes == [401] * 20 + [429]
    # Another client guessing those addresses is braked per account only.
    assert _guess(owner, "user20@example.com") == 401


def test_wait_grows_when_guessing_goes_on_and_the_owner_gets_in_after_it(
    attacker: TestClient, owner: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    assert [_guess(attacker) for _ in range(6)] == [401] * 5 + [429]
    clock_file.write_text(str(61 / 86400))
    assert _guess(attacker) == 401
    blocked = attacker.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 110 <= int(blocked.headers["Retry-After"]) <= 120
    assert blocked.json()["detail"] == "Too many attempts. Try again in 2 minutes."
    clock_file.write_text(str(182 / 86400))
    assert owner.post(TOKEN, json={"email": EMAIL, "password": PASSWORD}).status_code == 200
    # The right password ends the account's streak: the owner's next typo is free again.
    assert _guess(owner) == 401


def test_sign_in_answers_503_and_counts_nothing_when_every_hashing_place_is_taken(
    attacker: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_PASSWORD_HASH_SLOTS", "1")
    get_settings.cache_clear()
    make_user(session, EMAIL)
    _pool, admitted = passwords._hashing(1)
    taken = 0
    while admitted.acquire(blocking=False):
        taken += 1
    try:
        answer = attacker.post(TOKEN, json={"email": EMAIL, "password": PASSWORD})
    finally:
        for _ in range(taken):
            admitted.release()
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert "Try again in a few seconds" in answer.json()["detail"]
    session.expire_all()
    assert all(row.attempts == 0 for row in session.exec(select(SignInStreak)).all())
    assert attacker.post(TOKEN, json={"email": EMAIL, "password": PASSWORD}).status_code == 200
