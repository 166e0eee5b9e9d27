"""Every route of the app, declared once."""

SIGN_IN = "/signin"
TODAY = "/"
CONTACTS = "/contacts"
CONTACT_NEW = "/contacts/new"
CONTACT = "/contacts/[contact_id]"
CONTACT_EDIT = "/contacts/[contact_id]/edit"
TEAM = "/team"
REP = "/team/[rep_id]"
SETTINGS = "/settings"
IMPORT = "/import"


def contact(contact_id: str) -> str:
    return f"/contacts/{contact_id}"


def contact_edit(contact_id: str) -> str:
    return f"/contacts/{contact_id}/edit"


PEOPLE = "/people"
PERSON = "/people/[person_id]"
AUDIT = "/audit"
SET_PASSWORD = "/set-password/[secret]"
INVITATIONS = "/invitations"
INVITATION_NEW = "/invitations/new"
INVITATION = "/invitations/[invitation_id]"


def invitation(invitation_id: str) -> str:
    return f"/invitations/{invitation_id}"


def person(person_id: str) -> str:
    return f"/people/{person_id}"


def set_password(secret: str) -> str:
    return f"/set-password/{secret}"


def rep(rep_id: str) -> str:
    return f"/team/{rep_id}"


def home(role: str) -> str:
    """Where signing in leads: a manager's day starts with the team, a rep's with Today."""
    return TEAM if role in ("manager", "admin") else TODAY
