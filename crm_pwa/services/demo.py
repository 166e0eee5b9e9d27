"""Demo data that tells a story: one team, three reps, six months of relationships.

Riley is improving (more contact lately), Sam is declining (silence, broken
promises), Alex is steady. A few relationships are at risk for distinct reasons
so the team page has something true to say. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, func, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.user import Team, User
from crm_pwa.domain.health import DEFAULT_MODEL, SENTIMENTS
from crm_pwa.domain.week import iso_week, previous_weeks
from crm_pwa.services import auth
from crm_pwa.services.contact_index import index_contact
from crm_pwa.services.demo_words import (
    COMPANIES,
    CONNECTIONS,
    FIRST,
    FOLLOW_UP_TITLES,
    LAST,
    STREETS,
    SUMMARIES,
    TAGS,
    TITLES,
)
from crm_pwa.services.health import refresh_owner_health
from crm_pwa.services.snapshot import snapshot_week

DEMO_PASSWORD = "rapport-demo"


@dataclass(frozen=True)
class RepStory:
    email: str
    name: str
    # Each pair is (twelve weeks ago and before, today); in between the value
    # moves in a straight line, so the weekly snapshots show a steady trend.
    # pace: contacts per rhythm (>1 is more often than needed).
    pace: tuple[float, float]
    # late: the share of follow-ups done late, or (lately) not at all.
    late: tuple[float, float]
    # negative: how often an interaction goes badly, against 5 good and 4 neutral.
    negative: tuple[float, float]
    # Late promises were kept within weeks, or all in the last few weeks.
    clears_backlog: bool = False


REPS = (
    RepStory(
        "riley@example.com",
        "Riley Chen",
        pace=(0.35, 1.6),
        late=(1.0, 0.0),
        negative=(3, 0.2),
        clears_backlog=True,
    ),
    RepStory("sam@example.com", "Sam Okafor", pace=(1.4, 0.1), late=(0.1, 1.0), negative=(0.5, 8)),
    RepStory("alex@example.com", "Alex Novak", pace=(1.0, 1.0), late=(0.15, 0.15), negative=(1, 1)),
)
MANAGER = ("morgan@example.com", "Morgan Lee")
# Runs people and teams; in no team, so Team and Today show a manager's view, not theirs.
ADMIN = ("admin@example.com", "Avery Admin")
CONTACTS_PER_REP = 50
HISTORY_DAYS = 182
STORY_DAYS = 56
# Days between two promises to a contact, at least (its rhythm if longer).
PROMISE_DAYS = 14
# Promises broken in these last days are still open.
BACKLOG_DAYS = 21
SNAPSHOT_WEEKS = 12
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
    manager = auth.create_user(
        session=session,
        email=MANAGER[0],
        name=MANAGER[1],
        password=DEMO_PASSWORD,
        role="manager",
        now=now,
        team=team,
    )
    # Argon2 is slow on purpose (about a second here); the reps share the
    # manager's password, so they share its hash too.
    reps = [
        User(
            email=story.email,
            name=story.name,
            password_hash=manager.password_hash,
            role="rep",
            team_id=team.id,
            created_at=now,
        )
        for story in REPS
    ]
    session.add_all(reps)
    session.add(
        User(
            email=ADMIN[0],
            name=ADMIN[1],
            password_hash=manager.password_hash,
            role="admin",
            created_at=now,
        )
    )
    session.flush()
    history = _History(today)
    used_names: set[str] = set()
    for rep_number, (rep, story) in enumerate(zip(reps, REPS, strict=True), start=1):
        # Each rep's history draws from its own stream: one rep's story can be
        # retold without changing the others'.
        history.rng = random.Random(f"{seed}:{story.email}")
        for index in range(CONTACTS_PER_REP):
            contact = _contact(rng, rep, rep_number, _unique_name(rng, used_names), index, now)
            session.add(contact)
            session.flush()
            index_contact(session, contact)
            special = SPECIAL.get((story.email, index))
            if special is None:
                history.ordinary(rep, story, contact, index)
            else:
                special(history, rep, contact)
    session.flush()
    for table in (Interaction, FollowUp, Complaint, Opportunity):
        if history.rows[table]:
            session.execute(insert(table), history.rows[table])
    refresh_owner_health(session, [rep.id for rep in reps], now)
    # Past weeks are scored from the facts dated up to each week's end, exactly
    # as the weekly job would have written them at the time.
    for week in previous_weeks(iso_week(today), SNAPSHOT_WEEKS):
        snapshot_week(session=session, week=week, today=today)
    lines = [
        f"Loaded {len(reps) * CONTACTS_PER_REP} contacts and {history.interactions} interactions.",
        "Demo sign-ins (password for all: " + DEMO_PASSWORD + "):",
        f"  admin    {ADMIN[0]}",
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
        do_not_contact=index == CONTACTS_PER_REP - 1,
        created_at=now - timedelta(days=400),
        updated_at=now,
    )


class _History:
    """Writes what happened with each contact; every row is added in one go at the end."""

    def __init__(self, today: date) -> None:
        self.rng = random.Random()
        self.today = today
        # Plain rows, inserted in bulk: building a model object per row is
        # what made seeding slow.
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.interactions = 0
        self.talk_days: dict[uuid.UUID, list[date]] = defaultdict(list)

    def story(self, pair: tuple[float, float], day: date) -> float:
        """A rep's habit on `day`: the first value until the story starts, then the second."""
        progress = 1 - (self.today - day).days / STORY_DAYS
        then, now = pair
        return then + (now - then) * min(1.0, max(0.0, progress))

    def interaction(self, rep: User, contact: Contact, day: date, sentiment: str) -> None:
        rng = self.rng
        at = _at(day, rng)
        self.rows[Interaction].append(
            dict(
                id=uuid.uuid4(),
                contact_id=contact.id,
                author_id=rep.id,
                kind=rng.choice(("meeting", "call", "call", "email", "message", "visit")),
                direction=rng.choice(("outbound", "outbound", "inbound")),
                occurred_at=at,
                summary=rng.choice(SUMMARIES[sentiment]),
                sentiment=sentiment,
                created_at=at,
            )
        )
        self.interactions += 1
        self.talk_days[contact.id].append(day)
        if contact.last_interaction_at is None or at > contact.last_interaction_at:
            contact.last_interaction_at = at

    def follow_up(self, rep: User, contact: Contact, due: date, done_on: date | None) -> None:
        """A promise due on `due`: done on `done_on` (when that has happened yet), else open."""
        rng = self.rng
        done = done_on is not None and done_on <= self.today
        promised = due - timedelta(days=7)
        talked = self.talk_days[contact.id]
        if done_on is not None and done and not any(promised <= d <= done_on for d in talked):
            # A promise is kept by talking to them (docs/health.md): the call is logged.
            self.interaction(rep, contact, done_on, "neutral")
        self.rows[FollowUp].append(
            dict(
                id=uuid.uuid4(),
                contact_id=contact.id,
                owner_id=rep.id,
                title=rng.choice(FOLLOW_UP_TITLES),
                due_on=due,
                status="done" if done else "open",
                done_on=done_on if done else None,
                changed_at=_at(min(done_on, self.today) if done_on else due - timedelta(7), rng),
                created_at=_at(promised, rng),
            )
        )

    def complaint(self, rep: User, contact: Contact, opened: date, resolved: date | None) -> None:
        rng = self.rng
        self.rows[Complaint].append(
            dict(
                id=uuid.uuid4(),
                contact_id=contact.id,
                owner_id=rep.id,
                summary=rng.choice(SUMMARIES["negative"]),
                opened_at=_at(opened, rng),
                resolved_at=_at(resolved, rng) if resolved else None,
                resolution="Credited the invoice and apologised." if resolved else "",
            )
        )

    def ordinary(self, rep: User, story: RepStory, contact: Contact, index: int) -> None:
        rng, today = self.rng, self.today
        rhythm = DEFAULT_MODEL.rhythm_days_for(contact.tier)
        day = today - timedelta(days=rng.randint(0, rhythm) + HISTORY_DAYS)
        while day < today:
            negative = self.story(story.negative, day)
            sentiment = rng.choices(SENTIMENTS, weights=(5, 4, negative))[0]
            self.interaction(rep, contact, day, sentiment)
            pace = self.story(story.pace, day)
            day += timedelta(days=max(1, round(rhythm / pace * rng.uniform(0.7, 1.3))))
        # Promises come on their own schedule, so a rep who stops calling still
        # has promises to keep (or break).
        every = max(PROMISE_DAYS, rhythm)
        due = today - timedelta(days=rng.randint(every, 2 * every) + 90)
        while due < today:
            self.promise(rep, story, contact, due)
            due += timedelta(days=round(every * rng.uniform(0.7, 1.3)))
        if index % 5 == 0:
            self.follow_up(rep, contact, today + timedelta(days=rng.randint(0, 10)), None)
        if rng.random() < 0.04:
            opened = today - timedelta(days=rng.randint(3, 60))
            self.complaint(rep, contact, opened, opened + timedelta(days=rng.randint(1, 5)))
        if contact.kind in ("customer", "prospect") and rng.random() < 0.4:
            self.opportunity(rep, contact)

    def promise(self, rep: User, story: RepStory, contact: Contact, due: date) -> None:
        rng, today = self.rng, self.today
        late = rng.random() < self.story(story.late, due)
        # A promise broken lately is still open; older ones were kept in the end.
        done_on: date | None
        if not late:
            done_on = due - timedelta(days=rng.randint(0, 1))
        elif due > today - timedelta(days=BACKLOG_DAYS):
            done_on = None
        elif story.clears_backlog:
            done_on = max(due, today - timedelta(days=rng.randint(0, BACKLOG_DAYS)))
        else:
            done_on = due + timedelta(days=rng.randint(5, 25))
        self.follow_up(rep, contact, due, done_on)

    def opportunity(self, rep: User, contact: Contact) -> None:
        rng, today = self.rng, self.today
        stage = ("lead", "qualified", "proposal", "won", "lost")[rng.randint(0, 4)]
        self.rows[Opportunity].append(
            dict(
                id=uuid.uuid4(),
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

    def regular(
        self,
        rep: User,
        contact: Contact,
        first: int,
        last: int,
        every: int,
        sentiments: Sequence[str],
    ) -> None:
        """Interactions every `every` days from `first` to `last` days ago, cycling sentiments."""
        for number, ago in enumerate(range(first, last - 1, -every)):
            self.interaction(
                rep, contact, self.today - timedelta(days=ago), sentiments[number % len(sentiments)]
            )


# The relationships at risk, one story each. Every one is at risk (under 40)
# today, and the list on the Team page shows the reason it was written for.


def _gone_silent(history: _History, rep: User, contact: Contact) -> None:
    """A key account nobody has called for eight weeks."""
    contact.tier = "high"
    history.regular(rep, contact, 150, 56, 7, ("positive", "neutral", "neutral"))
    today = history.today
    history.follow_up(rep, contact, today - timedelta(days=40), None)


def _stale_complaint(history: _History, rep: User, contact: Contact) -> None:
    """An invoice dispute open for nine days, and the meetings before it went badly."""
    contact.tier = "medium"
    history.regular(rep, contact, 170, 60, 25, ("neutral", "negative", "negative"))
    today = history.today
    history.complaint(rep, contact, today - timedelta(days=9), None)
    history.follow_up(rep, contact, today - timedelta(days=20), None)


def _broken_promises(history: _History, rep: User, contact: Contact) -> None:
    """Six call-backs promised over the last six weeks, none of them made."""
    contact.tier = "high"
    history.regular(rep, contact, 150, 43, 7, ("neutral", "negative", "neutral"))
    today = history.today
    history.interaction(rep, contact, today - timedelta(days=15), "negative")
    for days_ago in (40, 33, 26, 19, 12, 5):
        history.follow_up(rep, contact, today - timedelta(days=days_ago), None)


def _called_every_week(history: _History, rep: User, contact: Contact) -> None:
    """A low-tier supplier called every week for a year, who asked to be left alone."""
    contact.tier = "low"
    contact.kind = "supplier"
    history.regular(rep, contact, 515, 165, 7, ("neutral", "negative", "negative", "neutral"))
    today = history.today
    history.complaint(rep, contact, today - timedelta(days=165), None)
    for days_ago in (60, 30):
        history.follow_up(rep, contact, today - timedelta(days=days_ago), None)


SPECIAL: dict[tuple[str, int], Callable[[_History, User, Contact], None]] = {
    ("sam@example.com", 1): _gone_silent,
    ("sam@example.com", 3): _broken_promises,
    ("alex@example.com", 2): _stale_complaint,
    ("riley@example.com", 4): _called_every_week,
}
