"""/api/v1/teams: an admin creates and renames teams and gives them a manager."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession, Device
from crm_pwa.api.refusals import refusals
from crm_pwa.services import team_admin
from crm_pwa.services.fields import Text

router = APIRouter(tags=["teams"])


class TeamOut(BaseModel):
    id: uuid.UUID
    name: str
    manager_ids: list[uuid.UUID]
    members: int = Field(description="Active people in the team.")


class TeamsOut(BaseModel):
    items: list[TeamOut]


class NewTeam(BaseModel):
    name: Text = Field(max_length=200)


class TeamChange(BaseModel):
    name: Text | None = Field(default=None, max_length=200)
    manager_id: uuid.UUID | None = Field(
        default=None, description="A manager, who moves into this team."
    )


def _one(session: DbSession, actor: CurrentActor, team_id: uuid.UUID) -> TeamOut:
    found = [t for t in team_admin.list_teams(session=session, actor=actor) if t.id == team_id]
    view = found[0]
    return TeamOut(id=view.id, name=view.name, manager_ids=view.manager_ids, members=view.members)


@router.get("/teams", response_model=TeamsOut, responses=refusals(401, 403))
def list_teams(session: DbSession, actor: CurrentActor) -> TeamsOut:
    return TeamsOut(
        items=[
            TeamOut(id=t.id, name=t.name, manager_ids=t.manager_ids, members=t.members)
            for t in team_admin.list_teams(session=session, actor=actor)
        ]
    )


@router.post(
    "/teams",
    status_code=201,
    response_model=TeamOut,
    responses=refusals(400, 401, 403, 413, 422),
)
def create_team(body: NewTeam, session: DbSession, actor: CurrentActor, device: Device) -> TeamOut:
    team = team_admin.create_team(
        session=session, actor=actor, name=body.name, now=clock.now(), device=device
    )
    return _one(session, actor, team.id)


@router.patch(
    "/teams/{team_id}",
    response_model=TeamOut,
    responses=refusals(400, 401, 403, 404, 413, 422),
)
def change_team(
    team_id: uuid.UUID, body: TeamChange, session: DbSession, actor: CurrentActor, device: Device
) -> TeamOut:
    team = team_admin.change_team(
        session=session,
        actor=actor,
        team_id=team_id,
        now=clock.now(),
        name=body.name,
        manager_id=body.manager_id,
        device=device,
    )
    return _one(session, actor, team.id)
