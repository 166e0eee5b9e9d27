"""One settings object, read from the environment once and checked.

Every knob that differs between a laptop, CI and a multi-worker deployment lives
here so that nothing else reads os.environ. A value that cannot work (a time
zone that does not exist, a switch that is neither on nor off) stops the app at
start with a message naming the variable, instead of surprising a rep later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


SMTP_SCHEMES = ("smtp://", "smtp+starttls://", "smtps://")


class SettingsError(ValueError):
    """An environment variable holds a value Rapport cannot use."""


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
    # A file holding a number of days to move the clock forward (demos, tests).
    clock_file: Path | None = None
    token_days: int = 30
    token_idle_days: int = 14
    # Attempts that go through at once before the brake starts, per account (or
    # known device) and per client address; an office behind one address shares the latter.
    sign_in_max_failures: int = 5
    sign_in_client_max_failures: int = 20
    # Each argon2 check takes 64 MiB and a core for a third of a second: no more at
    # once than there are cores, so a flood of sign-ins cannot starve everything else.
    password_hash_slots: int = 1
    # Where scheduled work runs: "on" in the app process (one machine, SQLite or
    # PostgreSQL), "queue" in `python -m crm_pwa worker` processes (PostgreSQL), "off".
    scheduler: str = "on"
    # Jobs one `worker` process runs at once, and how often it says it is alive: a
    # worker silent for three beats is taken for dead and its jobs are run again.
    # Two: one job's database steps overlap another's sending; more jobs only add
    # threads fighting for the interpreter (bench/push.py: 2 -> 14-16 s, 4 -> 21-23 s).
    worker_concurrency: int = 2
    worker_heartbeat_seconds: int = 10
    fast_password_hashing: bool = False
    # Admission control of /api/v1 (crm_pwa/api/admission.py): requests at work at
    # once (kept below the connection pool and the thread pool), requests allowed to
    # wait for a turn; beyond both the API answers 503 + Retry-After at once.
    api_concurrency: int = 8
    api_queue: int = 64
    # The longest a request waits in line at the measured pace; later is refused at once.
    api_wait_seconds: int = 2
    # The websocket's admission (crm_pwa/api/event_admission.py): a page's event is
    # refused with a "busy" toast while the event loop or the database threads make
    # work wait this long. 0 refuses every event but opening a page (a drill).
    event_max_wait_ms: int = 500
    # Origins other than the app's own that may call the API from a browser.
    allowed_origins: tuple[str, ...] = ()
    # Hosts whose X-Forwarded-Proto is believed (a TLS-terminating proxy).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    production: bool = False
    api_docs: bool = False
    demo: bool = False
    # Invitations go out through this SMTP server (smtp://, smtp+starttls:// or
    # smtps://, with user:password@ when it asks); None: each rep sends from the
    # phone's own mail app (mailto: links) and marks them sent.
    smtp_url: str | None = None
    # The app's own address, the From of every invitation (the rep is the Reply-To).
    mail_from: str = "Rapport <invitations@rapport.invalid>"
    # At most this many messages a second to the SMTP server: providers cap senders.
    smtp_per_second: int = 10
    # SMTP connections a sending run keeps open at once: each message costs four
    # round trips, so a few connections hide the wait for the server's answers.
    smtp_connections: int = 4
    # Where people reach the app: the unsubscribe links in e-mails start with it.
    public_url: str = "http://localhost:8000"
    # How long a stopping app server lets its workers finish in-flight requests
    # before it kills them (crm_pwa/app_server.py).
    shutdown_grace_seconds: int = 30

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise SettingsError(
                f"RAPPORT_TIME_ZONE={self.time_zone!r} is not a time zone; "
                "use a name such as Europe/London or America/Los_Angeles."
            ) from error
        if "://" not in self.database_url:
            raise SettingsError(
                f"RAPPORT_DATABASE_URL={self.database_url!r} is not a database URL; "
                "expected something like sqlite:///data/rapport.db."
            )
        if self.scheduler == "queue" and not self.database_url.startswith("postgresql"):
            raise SettingsError(
                "RAPPORT_SCHEDULER=queue keeps its jobs in PostgreSQL; set RAPPORT_DATABASE_URL "
                "to a postgresql+psycopg:// URL, or leave RAPPORT_SCHEDULER at 'on'."
            )
        if self.smtp_url is not None and not self.smtp_url.startswith(SMTP_SCHEMES):
            raise SettingsError(
                f"RAPPORT_SMTP_URL must start with one of {', '.join(SMTP_SCHEMES)}, "
                "like smtp://user:password@mail.example.com:587."
            )
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"RAPPORT_PUBLIC_URL={self.public_url!r} must start with https:// (or http://)."
            )
        if not self.vapid_subject.startswith(("mailto:", "https://")):
            raise SettingsError(
                f"RAPPORT_VAPID_SUBJECT={self.vapid_subject!r} must start with mailto: or https://."
            )


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"RAPPORT_{name}", default)


def _switch(name: str, default: str, on: str, off: str) -> bool:
    value = _env(name, default).strip().lower()
    if value not in (on, off):
        raise SettingsError(f"RAPPORT_{name}={value!r} must be {on!r} or {off!r}.")
    return value == on


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default).strip().lower()
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise SettingsError(f"RAPPORT_{name}={value!r} must be one of {allowed}.")
    return value


def _count(name: str, default: int, least: int = 1) -> int:
    value = _env(name).strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise SettingsError(f"RAPPORT_{name}={value!r} must be a whole number of {least} or more.")
    return int(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR", str(PROJECT_ROOT / "data")))
    # Reflex reads REFLEX_DB_URL itself; accepting it here keeps one source of truth
    # for the app, the CLI and Alembic.
    database_url = _env("DATABASE_URL") or os.environ.get("REFLEX_DB_URL", "")
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'rapport.db'}"
    # `reflex run --env prod` says so in REFLEX_ENV_MODE, for the server and its workers.
    production = os.environ.get("REFLEX_ENV_MODE", "") == "prod"
    redis_url = _env("REDIS_URL") or os.environ.get("REFLEX_REDIS_URL") or None
    clock_file = _env("CLOCK_FILE")
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
        clock_file=Path(clock_file) if clock_file else None,
        scheduler=_choice("SCHEDULER", "on", ("on", "off", "queue")),
        worker_concurrency=_count("WORKER_CONCURRENCY", 2),
        worker_heartbeat_seconds=_count("WORKER_HEARTBEAT_SECONDS", 10),
        fast_password_hashing=_switch("FAST_PASSWORD_HASHING", "0", "1", "0"),
        password_hash_slots=_count("PASSWORD_HASH_SLOTS", _cores()),
        allowed_origins=_split(_env("ALLOWED_ORIGINS")),
        trusted_proxies=_split(_env("TRUSTED_PROXIES", "127.0.0.1,::1")),
        production=production,
        # The API's reference pages describe every route to whoever asks: on a
        # production server only when asked for.
        api_docs=_switch("API_DOCS", "off" if production else "on", "on", "off"),
        demo=_switch("DEMO", "off", "on", "off"),
        api_concurrency=_count("API_CONCURRENCY", 8),
        api_queue=_count("API_QUEUE", 64),
        api_wait_seconds=_count("API_WAIT_SECONDS", 2),
        event_max_wait_ms=_count("EVENT_MAX_WAIT_MS", 500, least=0),
        smtp_url=_env("SMTP_URL").strip() or None,
        mail_from=_env("MAIL_FROM", "Rapport <invitations@rapport.invalid>"),
        smtp_per_second=_count("SMTP_PER_SECOND", 10),
        smtp_connections=_count("SMTP_CONNECTIONS", 4),
        public_url=_env("PUBLIC_URL", "http://localhost:8000").rstrip("/"),
        shutdown_grace_seconds=_count("SHUTDOWN_GRACE_SECONDS", 30),
    )
