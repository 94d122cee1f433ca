"""``kairos user create|list|set-password|enable|disable|delete``: user accounts, straight on the database.

The same rules as the API and the console (kairos/services/users.py). ``set-password`` is also the way back in when
every admin is locked out: it needs only access to the server's configuration, not a sign-in.

Exit status: 0 done, 1 refused by the data (no such user, email taken, the last admin), 2 a usage error
(bad role, weak password, bad email)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from kairos.cli.common import fail, run_in_session
from kairos.errors import DomainError, Invalid, NotFound
from kairos.services.password_policy import password_problem

if TYPE_CHECKING:  # the database layer is imported by the commands, so that `kairos --help` stays fast
    from sqlalchemy.ext.asyncio import AsyncSession

    from kairos.db.models import AppUser

app = typer.Typer(help="Create, list, enable, disable and delete users; set a user's password.", no_args_is_help=True)

T = TypeVar("T")
Email = Annotated[str, typer.Argument(help="The user's email (any case).")]
MustChange = Annotated[
    bool,
    typer.Option(
        "--must-change-password/--no-must-change-password", help="Ask for a new password at the next sign-in."
    ),
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
]


def _do(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` on the database; a refusal becomes one line and its exit status, never a traceback."""

    async def guarded(session: AsyncSession) -> T | DomainError:
        try:
            return await work(session)
        except DomainError as exc:
            return exc

    result = run_in_session(guarded)
    if isinstance(result, DomainError):
        field = f"{result.field}: " if result.field else ""
        fail(field + result.message, code=2 if isinstance(result, Invalid) else 1)
    return result


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            fail("--password-stdin: standard input held no password")
        return password
    try:
        entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    except typer.Abort:
        fail("no password given")
    return entered


def _lookup(email: str) -> Callable[[AsyncSession], Awaitable[AppUser]]:
    from kairos.api.schemas.users import normalise_email
    from kairos.services import users

    async def find(session: AsyncSession) -> AppUser:
        user = await users.find_by_email(session, email)
        if user is None:
            raise NotFound(f"no user with the email {normalise_email(email)}")
        return user

    return find


@app.command()
def create(
    email: Email,
    role: Annotated[str, typer.Option(help="ADMIN (may change everything) or USER (reads).")] = "USER",
    name: Annotated[str | None, typer.Option(help="A display name.")] = None,
    password_stdin: PasswordStdin = False,
    must_change_password: MustChange = False,
) -> None:
    """Create a local user; the password comes from --password-stdin or a prompt (asked twice)."""
    from kairos.api.schemas.users import email_problem, normalise_email
    from kairos.services import users

    role = role.upper()
    if role not in users.ROLES:
        fail("--role must be ADMIN or USER")
    if name is not None and not (0 < len(name.strip()) <= 200):
        fail("--name must be 1 to 200 characters")
    if problem := email_problem(normalise_email(email)):
        fail(f"email: {problem}")
    password = _password(password_stdin)
    # Checked again by kairos.services.users; here first, so that a usage error needs no database.
    if problem := password_problem(password, normalise_email(email)):
        fail(f"password: {problem}")
    new = users.NewUser(
        email=email,
        role=role,
        password=password,
        name=name.strip() if name else None,
        must_change_password=must_change_password,
    )
    user = _do(lambda session: users.create_user(session, new))
    typer.echo(f"user {user.email} created ({user.role}, id {user.id})")


@app.command("list")
def list_users() -> None:
    """List users (never a password)."""
    from kairos.services import users

    rows = _do(users.list_users)
    typer.echo(f"{'ID':>4}  {'ROLE':<5}  {'PROVIDER':<8}  {'STATE':<8}  {'LAST SIGN-IN':<20}  EMAIL")
    for u in rows:
        state = "enabled" if u.enabled else "disabled"
        seen = u.last_login_at.strftime("%Y-%m-%d %H:%M:%SZ") if u.last_login_at else "never"
        name = f"  ({u.name})" if u.name else ""
        typer.echo(f"{u.id:>4}  {u.role:<5}  {u.provider:<8}  {state:<8}  {seen:<20}  {u.email}{name}")


@app.command("set-password")
def set_password(email: Email, password_stdin: PasswordStdin = False, must_change_password: MustChange = False) -> None:
    """Set a local user's password and sign them out everywhere (also to get back in when locked out)."""
    find = _lookup(email)
    _do(find)  # an unknown email is reported before a password is asked for
    password = _password(password_stdin)

    from kairos.services import users

    async def work(session: AsyncSession) -> AppUser:
        user = await find(session)
        changes = users.UserChanges(password=password, must_change_password=must_change_password)
        return await users.update_user(session, user.id, changes)

    user = _do(work)
    typer.echo(f"password of {user.email} set; its sessions were ended")


def _set_enabled(email: str, enabled: bool) -> AppUser:
    from kairos.services import users

    find = _lookup(email)

    async def work(session: AsyncSession) -> AppUser:
        return await users.update_user(session, (await find(session)).id, users.UserChanges(enabled=enabled))

    return _do(work)


@app.command()
def enable(email: Email) -> None:
    """Let a user sign in again."""
    typer.echo(f"user {_set_enabled(email, True).email} enabled")


@app.command()
def disable(email: Email) -> None:
    """Refuse a user's sign-ins and end their sessions (API keys they created keep working)."""
    typer.echo(f"user {_set_enabled(email, False).email} disabled; its sessions were ended")


@app.command()
def delete(email: Email) -> None:
    """Delete a user (not the last enabled admin). API keys they created stay."""
    find = _lookup(email)

    from kairos.services import users

    async def work(session: AsyncSession) -> str:
        user = await find(session)
        await users.delete_user(session, user.id)
        return user.email

    typer.echo(f"user {_do(work)} deleted")
