"""What the CLI, the API and start-up share: import a text in one transaction, then tell the running parts."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from kairos.config_as_code.changes import Plan
from kairos.config_as_code.plan import apply_document
from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.source import parse
from kairos.crypto import SecretBox

if TYPE_CHECKING:
    from kairos.runtime import Runtime


async def import_text(
    session: AsyncSession,
    text: str,
    box: SecretBox,
    *,
    source: str,
    dry_run: bool,
    secrets: SecretPolicy,
    prune: bool = False,
) -> Plan:
    """The diff; applied (committed) unless ``dry_run``. ``ConfigError`` leaves the database untouched.
    ``secrets`` is the channel's policy: ``SecretPolicy.http`` for the API and console, ``.operator`` otherwise."""
    # Parsing is CPU-bound pure Python (up to seconds for a large document): off the event loop.
    doc = await asyncio.to_thread(parse, text, source)
    doc.secrets = secrets
    try:
        plan = await apply_document(session, doc, box, prune=prune)
    except BaseException:
        await session.rollback()
        raise
    if dry_run:
        await session.rollback()
    else:
        await session.commit()
    return plan


async def notify(runtime: Runtime, plan: Plan) -> None:
    """The scheduler, the credential cache and the notification policies pick up an applied plan at once."""
    if plan.credentials_changed:
        await runtime.credentials.reload()
    if plan.notifications_changed and runtime.notifications is not None:
        await runtime.notifications.policies.reload()
    windows = any(c.section == "maintenance" for c in plan.changes)  # the engine recomputes its windows
    if plan.credentials_changed or plan.notifications_changed or windows:
        await runtime.scheduler.caches_changed()
    if plan.types_changed:
        await runtime.scheduler.reload_type_settings()
    for rid in sorted(plan.resources_deleted):
        runtime.scheduler.resource_deleted(rid)
    for rid in sorted(plan.resources_touched):
        await runtime.scheduler.resource_changed(rid)


async def apply_config_file(runtime: Runtime) -> Plan | None:
    """``KAIROS_CONFIG_FILE`` at start: applied before the scheduler loads (so nothing needs telling)."""
    path = runtime.settings.config_file
    if path is None:
        return None
    from kairos.config_as_code.errors import ConfigError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read KAIROS_CONFIG_FILE: {exc.strerror}", source=str(path)) from None
    async with runtime.sessionmaker() as session:
        policy = SecretPolicy.operator(runtime.settings)
        return await import_text(session, text, runtime.box, source=str(path), dry_run=False, secrets=policy)
