"""Demo accounts that still open with the password printed in the README."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, col, select

from crm_pwa.db.engine import session_scope
from crm_pwa.db.user import User
from crm_pwa.services.demo import ADMIN, DEMO_PASSWORD, MANAGER, REPS
from crm_pwa.services.passwords import password_matches
from crm_pwa.settings import get_settings

logger = logging.getLogger(__name__)

DEMO_EMAILS = (ADMIN[0], MANAGER[0], *(story.email for story in REPS))


def published_demo_accounts(session: Session) -> list[str]:
    """Active demo accounts anyone who read the README can sign in to."""
    users = session.exec(
        select(User).where(col(User.email).in_(DEMO_EMAILS), col(User.is_active))
    ).all()
    # The demo reps share the manager's hash: each distinct hash is checked once.
    opens: dict[str, bool] = {}
    for user in users:
        if user.password_hash not in opens:
            opens[user.password_hash] = password_matches(user.password_hash, DEMO_PASSWORD)
    return sorted(user.email for user in users if opens[user.password_hash])


def demo_accounts_warning(session: Session) -> str | None:
    """The words a production start prints when published demo accounts exist."""
    emails = published_demo_accounts(session)
    if not emails:
        return None
    return (
        "WARNING: this production server has demo accounts that open with the published "
        f"password '{DEMO_PASSWORD}': {', '.join(emails)}. Anyone can sign in as them. "
        "Deactivate them or change their passwords, or set RAPPORT_DEMO=on if this is a demo."
    )


def warn_about_demo_accounts() -> None:
    """On a production start that is not a demo, say so loudly when demo accounts exist."""
    settings = get_settings()
    if not settings.production or settings.demo:
        return
    try:
        with session_scope() as session:
            warning = demo_accounts_warning(session)
    except (OperationalError, ProgrammingError):
        return  # no tables yet: `migrate` has not run, so there are no accounts either
    if warning:
        logger.warning(warning)
        print(f"\n{'!' * 78}\n{warning}\n{'!' * 78}\n", file=sys.stderr, flush=True)
