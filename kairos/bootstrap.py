"""First-start data: the default admin account."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.auth.passwords import hash_password
from kairos.db.models import AppUser
from kairos.settings import Settings

log = logging.getLogger("kairos")


async def ensure_admin(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    async with sessionmaker() as session:
        if (await session.execute(select(func.count()).select_from(AppUser))).scalar_one():
            return
        session.add(
            AppUser(
                email=settings.admin_email,
                password_hash=hash_password(settings.admin_password.get_secret_value()),
                role="ADMIN",
                must_change_password=True,
            )
        )
        await session.commit()
        log.warning("created the default admin %s; change its password at first login", settings.admin_email)
