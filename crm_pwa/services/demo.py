"""Demo data that tells a story: one team, three reps, six months of relationships.

Riley is improving (more contact lately), Sam is declining (silence, broken
promises), Alex is steady. A few relationships are at risk for distinct reasons
so the team page has something true to say. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.user import Team, User
from crm_pwa.services import auth
from crm_pwa.services.contact_index import index_contact
from crm_pwa.services.health import refresh_owner_health

DEMO_PASSWORD = "rapport-demo"

FIRST = (
    "Dana",
    "Priya",
    "Marcus",
    "Elena",
    "Tomás",
    "Aisha",
    "Wei",
    "Hannah",
    "Kofi",
    "Sofia",
    "Liam",
    "Mei",
    "Noah",
    "Fatima",
    "Oliver",
    "Yuki",
    "Grace",
    "Mateo",
    "Zoë",
    "Ibrahim",
    "Chloe",
    "Ravi",
    "Nora",
    "Diego",
    "Amara",
    "Jonas",
    "Leila",
    "Ethan",
    "Ingrid",
    "Samuel",
)
LAST = (
    "Reyes",
    "Patel",
    "Johnson",
    "Kowalski",
    "García",
    "Okoye",
    "Zhang",
    "Müller",
    "Mensah",
    "Rossi",
    "Murphy",
    "Tanaka",
    "Williams",
    "Haddad",
    "Bennett",
    "Sato",
    "O'Brien",
    "Silva",
    "Lindqvist",
    "Adeyemi",
    "Dubois",
    "Sharma",
    "Novak",
    "Fernández",
    "Nwosu",
    "Berg",
)
COMPANIES = (
    "Acme Logistics",
    "Brightwater Foods",
    "Cedar & Pine Builders",
    "Delta Medical",
    "Evergreen Schools",
    "Falcon Freight",
    "Granite Insurance",
    "Harbor Hotels",
    "Ironwood Tools",
    "Juniper Clinics",
    "Keystone Energy",
    "Lakeside Farms",
    "Meridian Labs",
    "Northwind Traders",
    "Orchard Retail",
    "Pioneer Plastics",
)
TITLES = (
    "Operations Manager",
    "Head of Purchasing",
    "CFO",
    "Facilities Lead",
    "Owner",
    "IT Director",
    "Store Manager",
    "Procurement Officer",
    "Clinic Manager",
    "COO",
)
CONNECTIONS = (
    "Chases storms on weekends",
    "Daughter starts university in May",
    "Runs marathons; training for Berlin",
    "Collects vintage vinyl",
    "Coaches under-12 football",
    "Just got back from Lisbon",
    "Allergic to shellfish — mind the lunch spot",
    "Big fan of the Mariners",
    "Learning Japanese",
    "Restoring a 1968 sailboat",
)
TAGS = ("renewal", "vip", "expansion", "pilot", "referral", "north", "south", "events")
STREETS = ("Market St", "Main St", "Harbor Way", "Oak Ave", "Pine Rd", "Mission Blvd")
SUMMARIES = {
    "positive": (
        "Walked through the new pricing; happy with the terms.",
        "Quarterly review went well; they want to expand the pilot.",
        "Site visit: the team loves the new setup.",
        "Agreed next steps on the renewal.",
    ),
    "neutral": (
        "Quick check-in; nothing new this month.",
        "Sent the updated brochure and case study.",
        "Talked about timelines; decision expected next quarter.",
        "Left a voicemail about the delivery window.",
    ),
    "negative": (
        "Late delivery again; they are frustrated.",
        "Invoice dispute — they were double billed.",
        "They are looking at a competitor's quote.",
        "Support took too long to answer their ticket.",
    ),
}
FOLLOW_UP_TITLES = (
    "Send the revised quote",
    "Call back about the renewal",
    "Book the site visit",
    "Share the case study",
    "Confirm delivery dates",
    "Introduce our onboarding lead",
)


@dataclass(frozen=True)
class RepStory:
    email: str
    name: str
    # How often, relative to a contact's rhythm, this rep reached out early in
    # the six months and lately: >1 means more often than needed.
    early_pace: float
    late_pace: float
    overdue_share: float


REPS = (
    RepStory("riley@example.com", "Riley Chen", early_pace=0.45, late_pace=1.3, overdue_share=0.05),
    RepStory("sam@example.com", "Sam Okafor", early_pace=1.2, late_pace=0.3, overdue_share=0.45),
    RepStory("alex@example.com", "Alex Novak", early_pace=1.0, late_pace=1.0, overdue_share=0.15),
)
MANAGER = ("morgan@example.com", "Morgan Lee")
RHYTHM = {"high": 7, "medium": 30, "low": 90}
KINDS = ("customer",) * 5 + ("prospect",) * 3 + ("partner", "supplier", "staff", "other")


def has_users(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))), UTC)


def seed_demo(*, session: Session, seed: int, today: date) -> str:
    rng = random.Random(seed)
    now = datetime.combine(today, time(12, 0), UTC)
    team = Team(name="Field Sales West", created_at=now)
    session.add(team)
    session.flush()
    auth.create_user(
        session=session,
        email=MANAGER[0],
        name=MANAGER[1],
        password=DEMO_PASSWORD,
        role="manager",
        now=now,
        team=team,
    )
    reps = [
        auth.create_user(
            session=session,
            email=story.email,
            name=story.name,
            password=DEMO_PASSWORD,
            role="rep",
            now=now,
            team=team,
        )
        for story in REPS
    ]
    counts = {"contacts": 0, "interactions": 0}
    used_names: set[str] = set()
    for rep_number, (rep, story) in enumerate(zip(reps, REPS, strict=True), start=1):
        for index in range(50):
            name = _unique_name(rng, used_names)
            contact = _contact(rng, rep, rep_number, name, index, now)
            session.add(contact)
            session.flush()
            index_contact(session, contact)
            counts["interactions"] += _history(session, rng, rep, story, contact, index, today)
            counts["contacts"] += 1
    session.flush()
    refresh_owner_health(session, [rep.id for rep in reps], today)
    lines = [
        f"Loaded {counts['contacts']} contacts and {counts['interactions']} interactions.",
        "Demo sign-ins (password for all: " + DEMO_PASSWORD + "):",
        f"  manager  {MANAGER[0]}",
        *(f"  rep      {story.email}  ({story.name})" for story in REPS),
    ]
    return "\n".join(lines)


def _unique_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def _contact(
    rng: random.Random, rep: User, rep_number: int, name: str, index: int, now: datetime
) -> Contact:
    tier = ("high", "medium", "medium", "low")[index % 4]
    kind = KINDS[index % len(KINDS)]
    first, last = name.lower().split(" ", 1)
    company = rng.choice(COMPANIES)
    domain = company.lower().split(" ")[0].replace("&", "") + ".example"
    local = f"{first}.{last}".replace("'", "").replace(" ", "")
    digits = f"1415555{rep_number}{index:03d}"
    return Contact(
        owner_id=rep.id,
        name=name,
        company=company,
        title=rng.choice(TITLES),
        kind=kind,
        tier=tier,
        phone=f"+{digits}",
        phone_digits=digits,
        email=f"{local}@{domain}",
        address=f"{rng.randint(10, 990)} {rng.choice(STREETS)}, San Francisco, CA",
        tags=rng.sample(TAGS, rng.randint(0, 2)),
        connection_notes=rng.choice(CONNECTIONS) if rng.random() < 0.7 else "",
        do_not_contact=index == 49,
        created_at=now - timedelta(days=200),
        updated_at=now,
    )


def _history(
    session: Session,
    rng: random.Random,
    rep: User,
    story: RepStory,
    contact: Contact,
    index: int,
    today: date,
) -> int:
    rhythm = RHYTHM[contact.tier]
    # Contact 0 of every rep is a low-tier relationship called every week; contact 1
    # has been silent for two months; both are at risk for reasons the rep can fix.
    if index == 0:
        contact.tier, rhythm = "low", 7
    day = today - timedelta(days=182)
    interactions: list[Interaction] = []
    while day < today:
        late = day > today - timedelta(days=60)
        pace = story.late_pace if late else story.early_pace
        gap = max(1, round(rhythm / max(pace, 0.05) * rng.uniform(0.7, 1.3)))
        if index == 1 and day > today - timedelta(days=75):
            break
        sentiment = rng.choices(
            ("positive", "neutral", "negative"),
            weights=(5, 4, 3 if story.late_pace < 1 and late else 1),
        )[0]
        interactions.append(
            Interaction(
                contact_id=contact.id,
                author_id=rep.id,
                kind=rng.choice(("meeting", "call", "call", "email", "message", "visit")),
                direction=rng.choice(("outbound", "outbound", "inbound")),
                occurred_at=_at(day, rng),
                summary=rng.choice(SUMMARIES[sentiment]),
                sentiment=sentiment,
                created_at=_at(day, rng),
            )
        )
        day += timedelta(days=gap)
    session.add_all(interactions)
    if interactions:
        contact.last_interaction_at = interactions[-1].occurred_at
    _follow_ups(session, rng, rep, story, contact, index, today)
    if index in (2, 17) or rng.random() < 0.04:
        opened = today - timedelta(days=9 if index == 2 else rng.randint(0, 30))
        resolved = None if index in (2, 17) else opened + timedelta(days=rng.randint(1, 5))
        session.add(
            Complaint(
                contact_id=contact.id,
                owner_id=rep.id,
                summary=rng.choice(SUMMARIES["negative"]),
                opened_at=_at(opened, rng),
                resolved_at=_at(resolved, rng) if resolved else None,
                resolution="Credited the invoice and apologised." if resolved else "",
            )
        )
    if contact.kind in ("customer", "prospect") and rng.random() < 0.4:
        stage = ("lead", "qualified", "proposal", "won", "lost")[rng.randint(0, 4)]
        session.add(
            Opportunity(
                contact_id=contact.id,
                owner_id=rep.id,
                title=f"{contact.company} — {rng.choice(('renewal', 'expansion', 'new site'))}",
                stage=stage,
                amount=Decimal(rng.randint(20, 400) * 250),
                expected_close=today + timedelta(days=rng.randint(-30, 90)),
                created_at=_at(today - timedelta(days=rng.randint(20, 150)), rng),
                updated_at=_at(today - timedelta(days=rng.randint(0, 19)), rng),
            )
        )
    return len(interactions)


def _follow_ups(
    session: Session,
    rng: random.Random,
    rep: User,
    story: RepStory,
    contact: Contact,
    index: int,
    today: date,
) -> None:
    for _ in range(rng.randint(1, 3)):
        due = today - timedelta(days=rng.randint(1, 80))
        on_time = rng.random() > story.overdue_share
        done = due if on_time else due + timedelta(days=rng.randint(2, 10))
        session.add(
            FollowUp(
                contact_id=contact.id,
                owner_id=rep.id,
                title=rng.choice(FOLLOW_UP_TITLES),
                due_on=due,
                status="done",
                done_on=min(done, today),
                changed_at=_at(min(done, today), rng),
                created_at=_at(due - timedelta(days=7), rng),
            )
        )
    broken = 3 if index == 3 else int(rng.random() < story.overdue_share)
    upcoming = index % 5 == 0
    for number in range(broken + int(upcoming)):
        due = (
            today + timedelta(days=rng.randint(0, 10))
            if number == broken
            else (today - timedelta(days=rng.randint(1, 12)))
        )
        session.add(
            FollowUp(
                contact_id=contact.id,
                owner_id=rep.id,
                title=rng.choice(FOLLOW_UP_TITLES),
                due_on=due,
                status="open",
                changed_at=_at(today - timedelta(days=14), rng),
                created_at=_at(today - timedelta(days=14), rng),
            )
        )
