"""The Rapport app: head tags, the JSON API and the pages."""

from __future__ import annotations

import reflex as rx

from crm_pwa import routes
from crm_pwa.api.app import create_api
from crm_pwa.api.browser_headers import BrowserHeaders
from crm_pwa.api.event_admission import install as install_event_admission
from crm_pwa.api.page_paths import PagePaths
from crm_pwa.components.signed_out import signed_out_redirect
from crm_pwa.pages.audit import AuditState, audit_page
from crm_pwa.pages.contact import contact_page
from crm_pwa.pages.contact_form import ContactFormState, edit_contact_page, new_contact_page
from crm_pwa.pages.contact_state import ContactState
from crm_pwa.pages.contacts import ContactsState, contacts_page
from crm_pwa.pages.import_contacts import import_page
from crm_pwa.pages.import_state import ImportState
from crm_pwa.pages.invitation import invitation_page
from crm_pwa.pages.invitation_form import InvitationFormState, new_invitation_page
from crm_pwa.pages.invitation_state import InvitationState
from crm_pwa.pages.invitations import InvitationsState, invitations_page
from crm_pwa.pages.not_found import not_found_page
from crm_pwa.pages.people import PeopleState, people_page
from crm_pwa.pages.person import PersonState, person_page
from crm_pwa.pages.rep import rep_page
from crm_pwa.pages.rep_state import RepState
from crm_pwa.pages.set_password import SetPasswordState, set_password_page
from crm_pwa.pages.settings import settings_page
from crm_pwa.pages.team import TeamState, team_page
from crm_pwa.pages.today import TodayState, today_page
from crm_pwa.scheduler import run_scheduler
from crm_pwa.services.demo_accounts import warn_about_demo_accounts
from crm_pwa.services.push import vapid_keys
from crm_pwa.settings import get_settings
from crm_pwa.state.session import SessionState

THEME_COLOR = "#0f3d3e"
NOT_FOUND = "404"

app = rx.App(
    head_components=[
        # First in the head: a signed-out visitor leaves before anything else loads.
        signed_out_redirect(),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content=THEME_COLOR),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
        rx.el.link(rel="stylesheet", href="/offline.css"),
        # The app's own scripts (offline capture and lookup) are not here: the
        # built pages start them after their first paint (crm_pwa/paint_first.py).
    ],
    stylesheets=["/theme.css"],
    # The API is mounted first; the sign-in page (not a React page) and the
    # prerendered pages are then served at their own address (`/contacts`, not a
    # redirect to `/contacts/`), and the headers wrap pages, assets and API alike.
    api_transformer=[create_api(), PagePaths, BrowserHeaders],
)

app.add_page(today_page, route=routes.TODAY, title="Today · Rapport", on_load=TodayState.load)
app.add_page(
    contacts_page, route=routes.CONTACTS, title="Contacts · Rapport", on_load=ContactsState.load
)
app.add_page(
    new_contact_page,
    route=routes.CONTACT_NEW,
    title="New contact · Rapport",
    on_load=ContactFormState.load_new,
)
app.add_page(
    contact_page,
    route=routes.CONTACT,
    # Names the contact shown, e.g. "Dana Berg · Rapport", once the card is loaded.
    title=rx.cond(ContactState.found, ContactState.header.name + " · Rapport", "Contact · Rapport"),
    # From 1024 px the contact list stands beside the card.
    on_load=[ContactState.load, ContactsState.load_beside],
)
app.add_page(
    edit_contact_page,
    route=routes.CONTACT_EDIT,
    title="Edit contact · Rapport",
    on_load=ContactFormState.load_edit,
)
app.add_page(team_page, route=routes.TEAM, title="Team · Rapport", on_load=TeamState.load)
app.add_page(
    rep_page,
    route=routes.REP,
    title=rx.cond(RepState.found, RepState.rep_name + " · Rapport", "Rep · Rapport"),
    on_load=RepState.load,
)
app.add_page(
    settings_page,
    route=routes.SETTINGS,
    title="Settings · Rapport",
    on_load=SessionState.require_user,
)
app.add_page(people_page, route=routes.PEOPLE, title="People · Rapport", on_load=PeopleState.load)
app.add_page(
    person_page,
    route=routes.PERSON,
    title=rx.cond(PersonState.found, PersonState.person.name + " · Rapport", "Person · Rapport"),
    on_load=PersonState.load,
)
app.add_page(audit_page, route=routes.AUDIT, title="Audit log · Rapport", on_load=AuditState.load)
app.add_page(
    set_password_page,
    route=routes.SET_PASSWORD,
    title="Choose your password · Rapport",
    on_load=SetPasswordState.load,
)
app.add_page(
    import_page, route=routes.IMPORT, title="Import contacts · Rapport", on_load=ImportState.load
)
app.add_page(
    invitations_page,
    route=routes.INVITATIONS,
    title="Invitations · Rapport",
    on_load=InvitationsState.load,
)
app.add_page(
    new_invitation_page,
    route=routes.INVITATION_NEW,
    title="New invitation · Rapport",
    on_load=InvitationFormState.load,
)
app.add_page(
    invitation_page,
    route=routes.INVITATION,
    # Names the invitation shown, e.g. "Spring workshop · Rapport", once it is loaded.
    title=rx.cond(
        InvitationState.found, InvitationState.title + " · Rapport", "Invitation · Rapport"
    ),
    on_load=InvitationState.load,
)
app.add_page(not_found_page, route=NOT_FOUND, title="Page not found · Rapport")
app.register_lifespan_task(run_scheduler)
install_event_admission(app, get_settings().event_max_wait_ms / 1000)

warn_about_demo_accounts()

# The VAPID key must exist before the first browser asks for it, and be the same
# for every worker: make it now, on start, rather than on first use.
vapid_keys()
