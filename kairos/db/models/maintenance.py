"""Maintenance windows: planned times during which a resource's checks count for nothing (docs/maintenance.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, JSONType, UTCDateTime, utcnow


class MaintenanceWindow(Base):
    """A one-off window (``starts_at`` to ``ends_at``) or a recurring one: on ``weekdays`` at ``start_time``, or
    at each time of ``cron``, both read in ``timezone``, each occurrence lasting ``duration_minutes``; then
    ``starts_at``/``ends_at`` bound when occurrences may start. ``ended_at`` ends the occurrence it falls in
    early. ``scope`` is "all", "groups" or "resources" with the ids in ``scope_ids``, like notification
    policies."""

    __tablename__ = "maintenance_window"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(String(8), default="ONCE")  # ONCE | WEEKLY | CRON
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    weekdays: Mapped[list[int]] = mapped_column(JSONType, default=list)  # 0 Monday … 6 Sunday
    start_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # HH:MM, local to ``timezone``
    duration_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cron: Mapped[str | None] = mapped_column(String(120), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    scope: Mapped[str] = mapped_column(String(16), default="all")
    scope_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
