"""User accounts: who signs in to the console and the API, with which role."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, InputModel, Name, PartialModel
from kairos.db.models import AppUser

# One "@", something before it, a domain with a dot after it, no spaces: enough to catch typos without
# pretending to implement RFC 5322 (the address is a sign-in name, nothing is mailed to it).
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
EMAIL_RULE = "Enter an email address like name@example.com."


def email_problem(email: str) -> str | None:
    """Why ``email`` (already stripped) is refused, or None."""
    if len(email) > 320 or not _EMAIL.fullmatch(email) or any(ord(ch) < 32 or ord(ch) == 127 for ch in email):
        return EMAIL_RULE
    return None


def normalise_email(email: str) -> str:
    """Emails are stored in lower case, so uniqueness and sign-in ignore case."""
    return email.strip().lower()


Role = Literal["ADMIN", "USER"]
_ROLE_DOC = "ADMIN may change everything; USER sees everything that is not HIDDEN and changes nothing."


def _email(value: str) -> str:
    if problem := email_problem(value.lower()):
        raise ValueError(problem)
    return value.lower()


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320),
    AfterValidator(_email),
    Field(description="name@domain.tld; stored in lower case, unique regardless of case."),
]
# The policy itself (length, not the email, not common) is checked by the route, which knows the email.
Password = Annotated[str, StringConstraints(max_length=1024)]


class UserCreate(InputModel):
    email: Email
    name: Name | None = None
    role: Role = Field(description=_ROLE_DOC)
    password: Password = Field(
        description="The initial password: at least 10 characters, not the email, not a common one."
    )
    enabled: bool = True
    must_change_password: bool = Field(True, description="Ask for a new password at the first sign-in.")


class UserUpdate(PartialModel):
    nullable = frozenset({"name"})

    name: Name | None = Field(None, description="`null` clears it.")
    role: Role | None = Field(None, description=_ROLE_DOC)
    enabled: bool | None = Field(None, description="`false` signs the user out and refuses their sign-ins.")
    password: Password | None = Field(
        None,
        description="A reset (LOCAL users only): sets `mustChangePassword` unless given, ends the user's sessions.",
    )
    must_change_password: bool | None = None


class PasswordChange(InputModel):
    current_password: Password
    new_password: Password


class UserPublic(ApiModel):
    id: int
    email: str
    name: str | None
    role: str = Field(description="ADMIN or USER.")
    provider: str = Field(description="LOCAL (password in Kairos) or OIDC (signs in through the identity provider).")
    enabled: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None = Field(description="The last sign-in to the console; null: never.")

    @classmethod
    def of(cls, user: AppUser) -> UserPublic:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            provider=user.provider,
            enabled=user.enabled,
            must_change_password=user.must_change_password,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )
