"""The delivery loop: claims due outbox rows with a conditional UPDATE, sends them grouped per channel, retries.

Claiming is ``UPDATE … SET status='sending', claim_token=:t WHERE status='pending' AND …``: only a row still
pending changes, so two loops (two processes on one PostgreSQL, or a retry racing the loop) never both send
it; the rows carrying our token are ours. A row stuck in 'sending' (the process died mid-send) goes back to
pending after ``lease_s``. Failures back off exponentially with jitter; after ``settings.notify_max_attempts``
the row is 'dead' with its last error. Sends run in tasks of their own, one at a time per channel and at most
``max_concurrent`` in all, so a slow channel delays neither checks nor the other channels."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.crypto import SecretBox
from kairos.db.models import NotificationChannel, NotificationOutbox, Outage
from kairos.notify.cert_notices import CertNotices, parse_thresholds
from kairos.notify.channels import DeliveryError, compose, send
from kairos.notify.events import CERT_EXPIRING, OUTAGE_OPENED, OUTAGE_REMINDER, Event, Policies, iso
from kairos.periodic import PeriodicJob
from kairos.scheduler.maintenance import load_schedule
from kairos.settings import Settings

log = logging.getLogger("kairos.notify")

TICK_S = 1.0
REMINDER_EVERY_S = 30.0
LEASE_S = 120.0  # longer than any send (SEND_TIMEOUT_S) can take
BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 3600.0
MAX_GROUP = 500  # rows per message; more wait for the next one
MAX_CONCURRENT = 8


def backoff(attempts: int, base_s: float) -> float:
    """Seconds before attempt ``attempts + 1``: base·2^(n-1), capped, ±25 % jitter so retries do not align."""
    delay = min(base_s * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S)
    return float(delay * random.uniform(0.75, 1.25))


class Notifications:
    """Policies (for whoever writes events) and the delivery loop (owned by the app's lifespan)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        box: SecretBox,
        settings: Settings,
        *,
        tick_s: float = TICK_S,
        backoff_base_s: float = BACKOFF_BASE_S,
        lease_s: float = LEASE_S,
        reminder_every_s: float = REMINDER_EVERY_S,
        max_concurrent: int = MAX_CONCURRENT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessionmaker = sessionmaker
        self._box = box
        self._settings = settings
        self.policies = Policies(sessionmaker)
        self.cert_notices = CertNotices(parse_thresholds(settings.cert_notice_days))
        self.tick_s = tick_s
        self.backoff_base_s = backoff_base_s
        self.lease_s = lease_s
        self.reminder_every_s = reminder_every_s
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._busy: dict[int, asyncio.Task[int]] = {}
        self._wake = asyncio.Event()
        # The database may be briefly unavailable: the job logs a failed pass and the next tick tries again.
        self._job = PeriodicJob(
            "notification delivery", self._pass, every_s=lambda: self.tick_s, wake=self._wake, logger=log
        )
        self._last_reminders = 0.0
        self.sent = 0

    async def enqueue(self, session: AsyncSession, events: list[Event]) -> None:
        """The recorder's and discovery's hook: store events in the caller's transaction, then wake the loop."""
        if any(e.kind == CERT_EXPIRING for e in events):
            events = await self._due_cert_notices(session, events)
        if await self.policies.enqueue(session, events):
            self._wake.set()

    async def _due_cert_notices(self, session: AsyncSession, events: list[Event]) -> list[Event]:
        """Certificate candidates become events once per threshold; none is remembered while no policy wants them
        (a policy added later then gets the next threshold)."""
        if not any(p.wants(CERT_EXPIRING) for p in self.policies.active):
            return [e for e in events if e.kind != CERT_EXPIRING]
        return await self.cert_notices.due(session, events)

    # -- life cycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.policies.reload()
        self._job.start()

    async def stop(self, grace_s: float = 0.0) -> None:
        """End the loop; sends already running get what is left of ``grace_s``, then are cancelled (a cancelled
        send stays 'sending' and is re-sent after the lease)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        await self._job.stop(grace_s)
        sends = list(self._busy.values())
        if sends and deadline > loop.time():
            await asyncio.wait(sends, timeout=deadline - loop.time())
        for task in sends:
            task.cancel()
        self._busy.clear()

    async def _pass(self) -> None:
        """One round of the loop: reminders when due, then a send for every channel with due rows."""
        now = asyncio.get_running_loop().time()
        if now - self._last_reminders >= self.reminder_every_s:
            self._last_reminders = now
            await self.remind()
        await self.run_once(wait=False)

    # -- step functions (tests call them) -----------------------------------------------------------------

    async def run_once(self, *, wait: bool = True) -> int:
        """Recover expired claims, start a send for every channel with a due group; with ``wait``, wait for
        the sends and return how many rows were sent."""
        now = self._clock()
        await self._recover(now)
        tasks = []
        for channel_id in await self._due_channels(now):
            if channel_id in self._busy:
                continue  # one send at a time per channel
            task = asyncio.create_task(self._deliver(channel_id), name=f"kairos-notify-{channel_id}")
            self._busy[channel_id] = task
            task.add_done_callback(functools.partial(self._done, channel_id))
            tasks.append(task)
        if not wait:
            return 0
        return sum(await asyncio.gather(*tasks))

    async def remind(self) -> int:
        """Queue a reminder for every open outage whose policy's reminder interval has passed."""
        reminding = [p for p in self.policies.active if p.reminder_interval_s and OUTAGE_OPENED in p.events]
        if not reminding:
            return 0
        now = self._clock()
        queued = 0
        async with self._sessionmaker() as session, session.begin():
            outages = (await session.execute(select(Outage).where(Outage.ended_at.is_(None)))).scalars().all()
            if outages:  # held during a maintenance window (docs/maintenance.md); reminded again after it
                windows = await load_schedule(session, now, now + timedelta(seconds=1))
                outages = [o for o in outages if windows.window_at(o.resource_id, now) is None]
            for policy in reminding:
                interval = timedelta(seconds=policy.reminder_interval_s or 0)
                last = await self._last_sent(session, policy.id, [o.resource_id for o in outages])
                events = [
                    _reminder(o, now)
                    for o in outages
                    if o.started_at <= now - interval and (last.get(o.resource_id) or o.started_at) <= now - interval
                ]
                queued += await self.policies.enqueue(session, events, policy_id=policy.id, now=now)
        return queued

    # -- internals ----------------------------------------------------------------------------------------

    def _done(self, channel_id: int, _task: asyncio.Task[int]) -> None:
        self._busy.pop(channel_id, None)

    async def _last_sent(self, session: AsyncSession, policy_id: int, resource_ids: list[int]) -> dict[int, datetime]:
        if not resource_ids:
            return {}
        rows = await session.execute(
            select(NotificationOutbox.resource_id, func.max(NotificationOutbox.created_at))
            .where(
                NotificationOutbox.policy_id == policy_id,
                NotificationOutbox.resource_id.in_(resource_ids),
                NotificationOutbox.event.in_((OUTAGE_OPENED, OUTAGE_REMINDER)),
            )
            .group_by(NotificationOutbox.resource_id)
        )
        return {rid: at for rid, at in rows.all() if rid is not None and at is not None}

    async def _recover(self, now: datetime) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(NotificationOutbox)
                .where(
                    NotificationOutbox.status == "sending",
                    NotificationOutbox.claimed_at < now - timedelta(seconds=self.lease_s),
                )
                .values(status="pending", claim_token=None)
            )

    async def _due_channels(self, now: datetime) -> list[int]:
        """Channels with due rows whose oldest row has waited out the grouping window (retries wait no more)."""
        window = timedelta(seconds=self._settings.notify_group_window_s)
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(NotificationOutbox.channel_id, func.min(NotificationOutbox.created_at))
                .where(NotificationOutbox.status == "pending", NotificationOutbox.next_attempt_at <= now)
                .group_by(NotificationOutbox.channel_id)
            )
            return [cid for cid, oldest in rows.all() if oldest is not None and oldest <= now - window]

    async def _deliver(self, channel_id: int) -> int:
        async with self._slots:
            claimed = await self.claim(channel_id)
            if not claimed:
                return 0
            token, rows, channel = claimed
            if channel is None:
                await self._settle(token, rows, "channel is disabled or deleted", final=True)
                return 0
            try:
                kind, url = channel
                await send(kind, url, compose([r.payload for r in rows]), user_agent=self._settings.user_agent)
            except DeliveryError as exc:
                await self._settle(token, rows, str(exc))
                return 0
            except Exception as exc:  # a bug or an Apprise surprise: retried like a delivery failure
                log.exception("notification channel %s: unexpected failure", channel_id)
                await self._settle(token, rows, f"internal error: {type(exc).__name__}")
                return 0
            await self._settle(token, rows, None)
            self.sent += len(rows)
            return len(rows)

    async def claim(self, channel_id: int) -> tuple[str, list[NotificationOutbox], tuple[str, str] | None] | None:
        """Claim the channel's due rows (the conditional UPDATE); returns (token, rows, (kind, url)) or None."""
        token = secrets.token_hex(16)
        now = self._clock()
        due = and_(
            NotificationOutbox.channel_id == channel_id,
            NotificationOutbox.status == "pending",
            NotificationOutbox.next_attempt_at <= now,
        )
        ids = select(NotificationOutbox.id).where(due).order_by(NotificationOutbox.id).limit(MAX_GROUP)
        async with self._sessionmaker() as session, session.begin():
            ids_now = list((await session.execute(ids)).scalars())
            if not ids_now:
                return None
            # Conditional: a row another claimer took in the meantime is no longer 'pending' and stays theirs.
            await session.execute(
                update(NotificationOutbox)
                .where(NotificationOutbox.id.in_(ids_now), NotificationOutbox.status == "pending")
                .values(status="sending", claimed_at=now, claim_token=token)
                .execution_options(synchronize_session=False)
            )
        async with self._sessionmaker() as session:
            rows = list(
                (
                    await session.execute(
                        select(NotificationOutbox)
                        .where(NotificationOutbox.claim_token == token, NotificationOutbox.status == "sending")
                        .order_by(NotificationOutbox.id)
                    )
                ).scalars()
            )
            ch = await session.get(NotificationChannel, channel_id)
        if not rows:
            return None
        channel = (ch.kind, self._box.open(ch.url_enc)) if ch is not None and ch.enabled else None
        return token, rows, channel

    async def _settle(
        self, token: str, rows: list[NotificationOutbox], error: str | None, *, final: bool = False
    ) -> None:
        now = self._clock()
        mine = and_(NotificationOutbox.claim_token == token, NotificationOutbox.status == "sending")
        async with self._sessionmaker() as session, session.begin():
            if error is None:
                await session.execute(
                    update(NotificationOutbox)
                    .where(mine)
                    .values(status="sent", sent_at=now, attempts=NotificationOutbox.attempts + 1, last_error=None)
                )
                return
            for row in rows:
                attempts = row.attempts + 1
                dead = final or attempts >= self._settings.notify_max_attempts
                values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000], "claim_token": None}
                values["status"] = "dead" if dead else "pending"
                if not dead:
                    values["next_attempt_at"] = now + timedelta(seconds=backoff(attempts, self.backoff_base_s))
                await session.execute(
                    update(NotificationOutbox).where(mine, NotificationOutbox.id == row.id).values(values)
                )
        log.warning("notification channel %s: %d message(s) not delivered: %s", rows[0].channel_id, len(rows), error)


def _reminder(outage: Outage, now: datetime) -> Event:
    minutes = int((now - outage.started_at).total_seconds() // 60)
    return Event(
        OUTAGE_REMINDER,
        outage.resource_id,
        now,
        outage.message,
        {"outage": {"startedAt": iso(outage.started_at), "endedAt": None, "durationSeconds": minutes * 60}},
    )
