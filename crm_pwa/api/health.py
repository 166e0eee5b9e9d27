"""GET /api/v1/health/team: the manager's view of the team's relationships."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.domain.health import Band, Trend
from crm_pwa.services.fields import Text
from crm_pwa.services.team import team_health

router = APIRouter(tags=["health"])


class _FromService(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AtRiskPublic(_FromService):
    contact_id: uuid.UUID
    name: str
    score: int | None
    reasons: list[str]


class RepHealthPublic(_FromService):
    user_id: uuid.UUID
    name: str
    score: float | None
    band: Band
    trend: Trend
    overdue_follow_ups: int
    open_complaints: int
    at_risk: list[AtRiskPublic]


class TeamScorePublic(_FromService):
    score: float | None
    band: Band
    trend: Trend


class WeekScoresPublic(_FromService):
    week: str
    team: float | None
    reps: dict[uuid.UUID, float | None]


class TeamHealthPublic(_FromService):
    week: str
    team: TeamScorePublic
    reps: list[RepHealthPublic]
    history: list[WeekScoresPublic]


@router.get("/health/team", response_model=TeamHealthPublic, responses=refusals(401, 403, 404, 422))
def get_team_health(
    session: DbSession,
    actor: CurrentActor,
    week: Annotated[Text | None, Query(max_length=20, description="ISO week, YYYY-Www")] = None,
    team_id: Annotated[uuid.UUID | None, Query(description="admins: one team only")] = None,
) -> TeamHealthPublic:
    health = team_health(
        session=session,
        actor=actor,
        week=week,
        now=clock.now(),
        team_id=team_id,
    )
    return TeamHealthPublic.model_validate(health)
