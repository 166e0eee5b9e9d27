"""Web Push: the VAPID key, the caller's devices, a test reminder, reminder hours."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from crm_pwa import clock
from crm_pwa.api.deps import CurrentActor, DbSession
from crm_pwa.api.refusals import refusals
from crm_pwa.domain.push_endpoint import MAX_ENDPOINT_LENGTH
from crm_pwa.services import push
from crm_pwa.services.fields import Text

router = APIRouter(tags=["push"])


def push_client() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


PushClient = Annotated[httpx.Client, Depends(push_client)]


class VapidPublicKey(BaseModel):
    public_key: str


class SubscriptionKeysIn(BaseModel):
    p256dh: Text = Field(max_length=200)
    auth: Text = Field(max_length=100)


class SubscriptionIn(BaseModel):
    """`PushSubscription.toJSON()`; `expirationTime` and unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    endpoint: Text = Field(max_length=MAX_ENDPOINT_LENGTH)
    keys: SubscriptionKeysIn


class EndpointIn(BaseModel):
    endpoint: Text = Field(max_length=MAX_ENDPOINT_LENGTH)


class DevicePublic(BaseModel):
    id: uuid.UUID
    endpoint: str
    label: str
    created_at: datetime
    last_success_at: datetime | None


class DeviceList(BaseModel):
    items: list[DevicePublic]


class TestReminderResult(BaseModel):
    devices: int
    sent: int
    removed: int
    failed: int


class ReminderSettingsBody(BaseModel):
    reminder_time: Text = Field(max_length=8, examples=["09:00"])
    quiet_start: Text = Field(max_length=8, examples=["20:00"])
    quiet_end: Text = Field(max_length=8, examples=["08:00"])
    time_zone: Text = Field(max_length=64, examples=["Europe/London"])


@router.get("/push/vapid-public-key", response_model=VapidPublicKey)
def vapid_public_key() -> VapidPublicKey:
    return VapidPublicKey(public_key=push.vapid_keys().public_key_b64url)


@router.post(
    "/push/subscriptions",
    response_model=DevicePublic,
    status_code=201,
    responses=refusals(400, 401, 413, 422),
)
def subscribe(
    body: SubscriptionIn, session: DbSession, actor: CurrentActor, request: Request
) -> DevicePublic:
    device = push.subscribe(
        session=session,
        actor=actor,
        subscription=body.model_dump(),
        user_agent=request.headers.get("user-agent", ""),
        now=clock.now(),
    )
    return _public(device)


@router.delete("/push/subscriptions", status_code=204, responses=refusals(400, 401, 413, 422))
def unsubscribe(body: EndpointIn, session: DbSession, actor: CurrentActor) -> Response:
    push.unsubscribe(session=session, actor=actor, endpoint=body.endpoint)
    return Response(status_code=204)


@router.get("/push/subscriptions", response_model=DeviceList, responses=refusals(401))
def list_devices(session: DbSession, actor: CurrentActor) -> DeviceList:
    return DeviceList(items=[_public(d) for d in push.list_devices(session=session, actor=actor)])


@router.post("/push/test", response_model=TestReminderResult, responses=refusals(401, 409))
def send_test_reminder(
    session: DbSession, actor: CurrentActor, client: PushClient
) -> TestReminderResult:
    report = push.send_test_reminder(session=session, actor=actor, client=client)
    return TestReminderResult(
        devices=report.devices, sent=report.sent, removed=report.removed, failed=report.failed
    )


@router.get("/push/reminder-settings", response_model=ReminderSettingsBody, responses=refusals(401))
def reminder_settings(session: DbSession, actor: CurrentActor) -> ReminderSettingsBody:
    return _settings_body(push.reminder_settings(session=session, actor=actor))


@router.put(
    "/push/reminder-settings",
    response_model=ReminderSettingsBody,
    responses=refusals(400, 401, 413, 422),
)
def update_reminder_settings(
    body: ReminderSettingsBody, session: DbSession, actor: CurrentActor
) -> ReminderSettingsBody:
    saved = push.update_reminder_settings(
        session=session,
        actor=actor,
        reminder_time=body.reminder_time,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
        time_zone=body.time_zone,
    )
    return _settings_body(saved)


def _public(device: push.Device) -> DevicePublic:
    return DevicePublic(
        id=device.id,
        endpoint=device.endpoint,
        label=device.label,
        created_at=device.created_at,
        last_success_at=device.last_success_at,
    )


def _settings_body(saved: push.ReminderSettings) -> ReminderSettingsBody:
    return ReminderSettingsBody(
        reminder_time=saved.reminder_time.strftime("%H:%M"),
        quiet_start=saved.quiet_start.strftime("%H:%M"),
        quiet_end=saved.quiet_end.strftime("%H:%M"),
        time_zone=saved.time_zone,
    )
