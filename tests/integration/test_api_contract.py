"""Generated requests against every API route: no server error, every answer as documented.

Schemathesis reads the OpenAPI document, makes requests (valid and invalid)
for each operation as a signed-in manager, and checks that none answers 5xx
and that each status code, content type and body is the one the document
promises. A bounded number of examples keeps it near a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.api.app import create_api
from crm_pwa.services import auth
from tests.conftest import Database
from tests.utils.factories import PASSWORD, make_contact, make_team, make_user

MANAGER = "morgan@example.com"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _token(session: Session) -> str:
    signed_in = auth.sign_in(
        session=session, email=MANAGER, password=PASSWORD, now=clock.now(), label=""
    )
    session.commit()
    return signed_in.token


# The document is read once; each request goes to the app, which uses the
# database the `db` fixture set up for the running test.
contract = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_api())


@pytest.fixture
def manager(db: Database) -> None:
    with db.session() as session:
        team = make_team(session)
        morgan = make_user(session, MANAGER, name="Morgan Lee", role="manager", team=team)
        make_contact(session, morgan, name="Dana Reyes")
        session.commit()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@contract.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.usefixtures("manager")
def test_api_answers_as_documented_when_called_with_generated_requests(
    case: schemathesis.Case, db: Database
) -> None:
    with db.session() as session:
        token = _token(session)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
