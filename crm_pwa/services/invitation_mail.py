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
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import quote

from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.user import User
from crm_pwa.domain.days import zone
from crm_pwa.domain.invitation_message import Guest, fill_message
from crm_pwa.settings import get_settings

UNSUBSCRIBE_PATH = "/api/v1/unsubscribe/"
# On the wire: CRLF line ends (smtplib sends bytes as they are), and no folding of
# the unsubscribe link's header, which some mail programs then fail to read.
_WIRE = compat32.clone(linesep="\r\n", max_line_length=998)


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
) -> bytes:
    """The copy as the SMTP server receives it.

    Built with the email package's compat32 classes: a quarter of the CPU of
    EmailMessage's header parsing, which counts at thousands of copies.
    """
    settings = get_settings()
    link = unsubscribe_url(guest.unsubscribe_token)
    text = (
        body(invitation, name, company, writer) + f"\n\n--\nNo more invitations from us: {link}\n"
    )
    message = MIMEText(text, "plain", "utf-8")
    message["From"] = settings.mail_from
    message["To"] = formataddr((name, email), "utf-8")
    message["Reply-To"] = formataddr((writer.name, writer.email), "utf-8")
    title = invitation.title
    message["Subject"] = title if title.isascii() else Header(title, "utf-8").encode()
    message["Date"] = format_datetime(now)
    message["Message-ID"] = guest.message_id
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message.as_bytes(policy=_WIRE)


def envelope_sender() -> str:
    """The app's bare address, for the SMTP envelope (bounces come back to it)."""
    return parseaddr(get_settings().mail_from)[1]


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
