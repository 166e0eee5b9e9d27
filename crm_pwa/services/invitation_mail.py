"""One guest's copy of an invitation: the e-mail the SMTP server gets, or the `mailto:`
link the phone's mail app opens.

From is the app's address (RAPPORT_MAIL_FROM) and Reply-To the rep who wrote it,
so answers reach a person. Every copy carries its own Message-ID and the
unsubscribe headers of RFC 2369 and RFC 8058: a mail program's "Unsubscribe"
button POSTs `List-Unsubscribe=One-Click` to the https link, which needs no
sign-in (the token is the secret).
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.user import User
from crm_pwa.domain.days import zone
from crm_pwa.domain.invitation_message import Guest, fill_message
from crm_pwa.settings import get_settings

UNSUBSCRIBE_PATH = "/api/v1/unsubscribe/"


def unsubscribe_url(token: str) -> str:
    return f"{get_settings().public_url}{UNSUBSCRIBE_PATH}{token}"


def when_and_where(invitation: Invitation, time_zone: str) -> str:
    """The event's date, time and place in the writer's zone; "" for a campaign."""
    if invitation.starts_at is None:
        return ""
    local = invitation.starts_at.astimezone(zone(time_zone))
    when = f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({time_zone})"
    return f"When: {when}" + (f"\nWhere: {invitation.place}" if invitation.place else "")


def body(invitation: Invitation, name: str, company: str, writer: User) -> str:
    text = fill_message(invitation.message, Guest(name, company), writer.name)
    details = when_and_where(invitation, writer.time_zone)
    return text + (f"\n\n{details}" if details else "")


def email_copy(
    invitation: Invitation,
    guest: InvitationGuest,
    *,
    name: str,
    company: str,
    email: str,
    writer: User,
    now: datetime,
) -> EmailMessage:
    settings = get_settings()
    link = unsubscribe_url(guest.unsubscribe_token)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = formataddr((name, email))
    message["Reply-To"] = formataddr((writer.name, writer.email))
    message["Subject"] = invitation.title
    message["Date"] = format_datetime(now)
    message["Message-ID"] = guest.message_id
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(
        body(invitation, name, company, writer) + f"\n\n--\nNo more invitations from us: {link}\n"
    )
    return message


def mailto_link(
    invitation: Invitation, *, name: str, company: str, email: str, writer: User
) -> str:
    """The prepared message for the rep's own mail app: it leaves from the rep's own
    address like any e-mail they write, so it has no unsubscribe footer."""
    return (
        f"mailto:{quote(email, safe='@')}"
        f"?subject={quote(invitation.title)}"
        f"&body={quote(body(invitation, name, company, writer))}"
    )
