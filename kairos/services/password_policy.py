"""What a new local password must be: long enough, not the email, not the old one, not a common choice."""

from __future__ import annotations

MIN_LENGTH = 10
_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "1234567890",
        "qwertyuiop",
        "administrator",
        "adminadmin",
        "letmein123",
        "kairoskairos",
        "changeme123",
        "welcome123",
        "iloveyou12",
        "0123456789",
        "abcdefghij",
    }
)


def password_problem(new: str, email: str, current: str | None = None) -> str | None:
    """A sentence saying why ``new`` is refused, or None when it is acceptable."""
    if len(new) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(new) > 1024:
        return "Use at most 1024 characters."
    if current is not None and new == current:
        return "Choose a password different from the current one."
    lowered = new.lower()
    if lowered in _COMMON or lowered == email.lower() or lowered == email.split("@")[0].lower():
        return "This password is too easy to guess."
    if len(set(new)) < 4:
        return "Use more different characters."
    return None
