"""Field types for every model that takes text or dates from outside (API bodies, query
parameters, the services' own input models), applying `crm_pwa.domain.input_rules`.

A refusal is a pydantic error whose cause is the rule's `RuleError`: the API
answers it as a 422 naming the field, and `describe_validation_error` shows the
rule's own words on a page or in a sync result.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from crm_pwa.domain.input_rules import check_day, check_moment, check_text
from crm_pwa.domain.note_rules import check_aware


def _text(value: str, info: ValidationInfo) -> str:
    return check_text(info.field_name or "", value)


def _day(value: date, info: ValidationInfo) -> date:
    return check_day(info.field_name or "", value)


def _moment(value: datetime, info: ValidationInfo) -> datetime:
    return check_moment(info.field_name or "", value)


def _aware(value: datetime, info: ValidationInfo) -> datetime:
    return check_aware(info.field_name or "", value)


Text = Annotated[str, AfterValidator(_text)]
Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[datetime, AfterValidator(_moment)]
# A moment the phone sends: with its offset, or it is not known which day it was.
AwareMoment = Annotated[datetime, AfterValidator(_moment), AfterValidator(_aware)]
