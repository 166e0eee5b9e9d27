"""Every route of the app, declared once."""

SIGN_IN = "/signin"
TODAY = "/"
CONTACTS = "/contacts"
CONTACT_NEW = "/contacts/new"
CONTACT = "/contacts/[contact_id]"
TEAM = "/team"
SETTINGS = "/settings"


def contact(contact_id: str) -> str:
    return f"/contacts/{contact_id}"
