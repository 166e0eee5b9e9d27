"""One settings object, read from the environment once.

Every knob that differs between a laptop, CI and a multi-worker deployment lives
here so that nothing else reads os.environ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    vapid_private_key_path: Path
    vapid_subject: str
    push_extra_hosts: tuple[str, ...]
    time_zone: str
    token_days: int = 30
    token_idle_days: int = 14
    # Attempts that go through at once before the brake starts, per account (or
    # known device) and per client address; an office behind one address shares the latter.
    sign_in_max_failures: int = 5
    sign_in_client_max_failures: int = 20
    # Each argon2 check takes 64 MiB and a core for a third of a second: no more at
    # once than there are cores, so a flood of sign-ins cannot starve everything else.
    password_hash_slots: int = 1
    scheduler_enabled: bool = True
    fast_password_hashing: bool = False


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"RAPPORT_{name}", default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR", str(PROJECT_ROOT / "data")))
    # Reflex reads REFLEX_DB_URL itself; accepting it here keeps one source of truth
    # for the app, the CLI and Alembic.
    database_url = _env("DATABASE_URL") or os.environ.get("REFLEX_DB_URL", "")
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'rapport.db'}"
    redis_url = _env("REDIS_URL") or os.environ.get("REFLEX_REDIS_URL") or None
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        vapid_private_key_path=Path(
            _env("VAPID_PRIVATE_KEY_FILE", str(data_dir / "vapid_private_key.pem"))
        ),
        vapid_subject=_env("VAPID_SUBJECT", "mailto:ops@rapport.invalid"),
        push_extra_hosts=_split(_env("PUSH_EXTRA_HOSTS")),
        time_zone=_env("TIME_ZONE", "UTC"),
        scheduler_enabled=_env("SCHEDULER", "on") != "off",
        fast_password_hashing=_env("FAST_PASSWORD_HASHING") == "1",
        password_hash_slots=max(1, int(_env("PASSWORD_HASH_SLOTS") or _cores())),
    )
