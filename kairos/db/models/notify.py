"""Notifications: channels (where to send), policies (what to send where) and the outbox (what is to be sent).

Events are written to ``notification_outbox`` in the same transaction as the state change that caused them, and
a loop of their own (kairos.notify.outbox) claims and sends them, so a slow or down channel never delays a check
and nothing is lost while it is down (docs/notifications.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, BigId, JSONType, UTCDateTime, utcnow


class NotificationChannel(Base):
    """An Apprise URL or a plain JSON webhook. The URL carries tokens and passwords: it is encrypted at rest
    (``url_enc``, the runtime's SecretBox) and never returned; ``url_hint`` is its masked form (``slack://…``)."""

    __tablename__ = "notification_channel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # "APPRISE" | "WEBHOOK"
    url_enc: Mapped[bytes] = mapped_column(LargeBinary)
    url_hint: Mapped[str] = mapped_column(String(64), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPolicy(Base):
    """Which events of which resources go to a channel. ``scope`` is "all", "groups" or "resources", with the
    ids in ``scope_ids``; ``reminder_interval_s`` re-notifies while an outage lasts."""

    __tablename__ = "notification_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channel.id", ondelete="CASCADE"), index=True)
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scope: Mapped[str] = mapped_column(String(16), default="all")
    scope_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    reminder_interval_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationOutbox(Base):
    """One event for one channel. ``status``: pending -> sending (claimed) -> sent, or back to pending with
    ``next_attempt_at`` pushed out, or dead after the last attempt (``last_error`` kept)."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        # Serves the claim query: due pending rows (and stale sending ones) by status and time, oldest first.
        Index("ix_notification_outbox_status_next", "status", "next_attempt_at"),
        # Serves reminders ("latest message of this policy for this resource") and the deliveries list by channel.
        Index("ix_notification_outbox_policy_resource", "policy_id", "resource_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channel.id", ondelete="CASCADE"), index=True)
    # No foreign keys: a delivery outlives the policy or resource that caused it (its payload says what it was).
    policy_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resource_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
