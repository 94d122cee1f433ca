"""The one rule for checking a local user's email and password, shared by the console's sign-in form and
HTTP Basic on the API, so that guessing costs the same on both and their failures add up.

Failed attempts are counted three ways (docs/security.md, "Sign-in and throttling"):

- per (account, address) pair: after ``MAX_FAILURES`` in the window that pair is refused outright, before
  the password is even checked. Only the guesser's own address is refused: the owner signing in from
  anywhere else is not, so failing on purpose cannot lock the real admin out.
- per account, whatever the address: every further failure on that account is answered only after a delay
  that doubles with each recent failure. Rotating ``X-Forwarded-For`` (or a botnet) makes every pair new, but
  not the account, so it buys no fast guesses. A correct password is never delayed.
- per address, whatever the account: the same delay, for one client spraying many accounts.

A success clears only its own pair: the owner signing in must not wipe out the record of someone else's
guesses at the account."""

from __future__ import annotations

import asyncio
import functools

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.auth.passwords import hash_password, verify_password
from kairos.auth.throttle import LoginThrottle
from kairos.db.models import AppUser

MAX_EMAIL = 320


class TooManyAttempts(Exception):
    """This (account, address) pair failed too often recently: refused without checking the password."""


class WrongPassword(Exception):
    """Unknown email, wrong password, disabled account or an account without a local password: one answer."""


@functools.cache
def _dummy_hash() -> str:
    """Verified against when there is no usable account, so that costs as long as a wrong password."""
    return hash_password("not-a-password")


def _keys(email: str, address: str) -> tuple[str, str, str]:
    """(pair, account, address) counter keys."""
    return f"pair:{email}|{address}", f"account:{email}", f"ip:{address}"


async def _find(session: AsyncSession, email: str) -> AppUser | None:
    if not email:
        return None
    stmt = select(AppUser).where(func.lower(AppUser.email) == email)
    return (await session.execute(stmt)).scalars().first()


async def check_password(
    session: AsyncSession, throttle: LoginThrottle, email: str, password: str, address: str
) -> AppUser:
    """The enabled LOCAL user with this email and password; raises ``TooManyAttempts`` or ``WrongPassword``."""
    email = email.strip().lower()[:MAX_EMAIL]
    pair, account, client = _keys(email, address)
    if throttle.blocked(pair):
        raise TooManyAttempts
    user = await _find(session, email)
    usable = user is not None and user.provider == "LOCAL" and user.enabled and user.password_hash
    stored = user.password_hash if usable and user is not None else None
    # argon2 is slow on purpose: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, stored or _dummy_hash(), password)
    if not (ok and stored and user is not None):
        # Counted before the wait, so that concurrent guesses already see each other's failures.
        wait = throttle.delay(account, client)
        throttle.fail(pair, account, client)
        await asyncio.sleep(wait)
        raise WrongPassword
    throttle.succeed(pair)
    return user
