"""What a use case can refuse, in words a caller can show.

The API maps each to a status code; the pages show the message as it is.
"""

from __future__ import annotations

import uuid


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(ServiceError):
    status_code = 401


class Forbidden(ServiceError):
    status_code = 403


class AccountDeactivated(Forbidden):
    """The right password for an account an admin deactivated."""


class NotFound(ServiceError):
    """Also used for objects that exist but are someone else's, so as not to reveal them."""

    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Duplicate(Conflict):
    """The caller already has this person: the API names the contact they can open."""

    def __init__(self, message: str, existing_id: uuid.UUID) -> None:
        super().__init__(message)
        self.existing_id = existing_id


# A client-chosen id already in use, whoever's object holds it: the same words
# for every kind of object and every owner, so the answer reveals nothing more.
ID_TAKEN = "This id is already taken: make a new one."


class TooLarge(ServiceError):
    status_code = 413


class Invalid(ServiceError):
    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RetryLater(ServiceError):
    """Refused for now; the API tells the caller when to come back (Retry-After)."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class TooManyAttempts(RetryLater):
    status_code = 429


class ServerBusy(RetryLater):
    status_code = 503
