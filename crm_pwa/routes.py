"""Every route of the app, declared once."""

SIGN_IN = "/signin"
TODAY = "/"
CONTACTS = "/contacts"
CONTACT_NEW = "/contacts/new"
CONTACT = "/contacts/[contact_id]"
CONTACT_EDIT = "/contacts/[contact_id]/edit"
TEAM = "/team"
SETTINGS = "/settings"
IMPORT = "/import"


def contact(contact_id: str) -> str:
    return f"/contacts/{contact_id}"


def contact_edit(contact_id: str) -> str:
    return f"/contacts/{contact_id}/edit"
