"""The fleet (PostgreSQL only, docs/fleet.md): who checks what, where, and who is alive.

A single process (``kairos serve``) uses none of these tables; web nodes and workers do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, UTCDateTime, utcnow

LOCATION_LEN = 32
WORKER_ID_LEN = 128


class FleetWorker(Base):
    """One running worker, refreshed by its heartbeat; a worker whose heartbeat is stale is dead."""

    __tablename__ = "fleet_worker"

    id: Mapped[str] = mapped_column(String(WORKER_ID_LEN), primary_key=True)
    location: Mapped[str] = mapped_column(String(LOCATION_LEN))
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leader: Mapped[bool] = mapped_column(Boolean, default=False)  # runs the singleton jobs right now


class FleetLocation(Base):
    """Every location a worker ever ran in, and whether it counts in quorums right now."""

    __tablename__ = "fleet_location"

    name: Mapped[str] = mapped_column(String(LOCATION_LEN), primary_key=True)
    up: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckSchedule(Base):
    """When each (resource, location) is due next. Workers claim rows in batches and move ``due_at`` forward in
    the same statement (kairos.fleet.schedule), so a worker that dies costs at most one interval."""

    __tablename__ = "check_schedule"
    __table_args__ = (
        PrimaryKeyConstraint("location", "resource_id"),
        # Serves the claim: one location's rows by due time.
        Index("ix_check_schedule_location_due", "location", "due_at"),
        # Serves the "check at once" claim: the few rows waiting for it.
        Index(
            "ix_check_schedule_asap",
            "location",
            "asap_at",
            postgresql_where=text("asap_at IS NOT NULL"),
            sqlite_where=text("asap_at IS NOT NULL"),
        ),
    )

    location: Mapped[str] = mapped_column(String(LOCATION_LEN))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    due_at: Mapped[float] = mapped_column(Float)  # epoch seconds, on the resource's fixed slot
    interval_s: Mapped[float] = mapped_column(Float)
    # "Check now", a new or an edited resource: claimed at once, without moving the slot.
    asap_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class LocationState(Base):
    """The latest result and the streaks of one resource as seen from one location (the verdict's votes)."""

    __tablename__ = "location_state"
    __table_args__ = (PrimaryKeyConstraint("resource_id", "location"),)

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    location: Mapped[str] = mapped_column(String(LOCATION_LEN))
    status: Mapped[str] = mapped_column(String(16))
    fail_streak: Mapped[int] = mapped_column(Integer, default=0)
    ok_streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_message: Mapped[str] = mapped_column(Text, default="")
    last_error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
