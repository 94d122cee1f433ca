"""The one constructor of a :class:`ProbeContext`, shared by the scheduler, the instant check and the CLI,
so that all three send our User-Agent, cap bodies and obey ``KAIROS_DENIED_NETWORKS`` the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kairos.net.denylist import parse_networks
from kairos.probes.base import Credential, ProbeContext

if TYPE_CHECKING:  # not at run time: `kairos check` (no database) starts without SQLAlchemy
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from kairos.settings import Settings


def probe_context(
    settings: Settings,
    *,
    target: str,
    timeout_s: float,
    skip_tls: bool = False,
    credential: Credential | None = None,
    extra: dict[str, Any] | None = None,
    proxy: str | None = None,
    resource: tuple[int, float, async_sessionmaker[AsyncSession]] | None = None,
) -> ProbeContext:
    """The context of one check of ``target``; ``extra`` carries per-caller switches (``trace``), ``proxy`` the
    resource's outbound route (None: the default proxy rules; see kairos.net.proxy), ``resource`` the scheduled
    resource's id, interval and the database (the scheduler's checks; kairos.probes.push reads its last ping)."""
    rid, interval_s, database = resource or (None, None, None)
    return ProbeContext(
        target=target,
        timeout_s=timeout_s,
        skip_tls=skip_tls,
        credential=credential,
        user_agent=settings.user_agent,
        max_body_bytes=settings.max_body_bytes,
        extra=dict(extra or {}),
        policy=parse_networks(settings.denied_networks).with_proxy(proxy),  # cached: parsed once per value
        resource_id=rid,
        interval_s=interval_s,
        database=database,
    )
