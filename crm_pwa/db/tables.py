"""Imports every table so that SQLModel.metadata is complete (Alembic, tests)."""

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.calendar_feed import CalendarFeed
from crm_pwa.db.contact import Contact, ContactSearchTerm, Shelf
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.push import PushSubscription
from crm_pwa.db.sign_in import KnownDevice, SignInStreak
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.db.user import AuthToken, SignInLink, Team, User

__all__ = [
    "AuditEvent",
    "CalendarFeed",
    "AuthToken",
    "Complaint",
    "Contact",
    "ContactSearchTerm",
    "Shelf",
    "FollowUp",
    "HealthSnapshot",
    "Interaction",
    "Invitation",
    "InvitationGuest",
    "Opportunity",
    "PushSubscription",
    "KnownDevice",
    "SignInLink",
    "SignInStreak",
    "Team",
    "TimelineEvent",
    "User",
]
