"""Many resources at once for the console's paging tests: written straight to the database (one INSERT), not
scheduled (the scheduler loaded its resources at start), so the board knows nothing of them: status unknown."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert

from kairos.db.models import GroupMember, Resource
from tests.harness import Running


async def seed(
    kairos: Running, names: Iterable[str], *, enabled: bool = False, group: int | None = None, kind: str = "TCP"
) -> list[int]:
    """Resources named ``names``, optionally in ``group``; their ids, in the order of ``names``."""
    rows = [
        {"name": n, "kind": kind, "target": "127.0.0.1:1", "config": {}, "enabled": enabled, "display_order": i}
        for i, n in enumerate(names)
    ]
    async with kairos.runtime.sessionmaker() as session:
        ids = list(
            (
                await session.execute(insert(Resource).returning(Resource.id, sort_by_parameter_order=True), rows)
            ).scalars()
        )
        if group is not None:
            members = [{"group_id": group, "resource_id": rid, "display_order": i} for i, rid in enumerate(ids)]
            await session.execute(insert(GroupMember), members)
        await session.commit()
    return ids
