"""Discovery sources: registry prefixes whose images become DOCKER resources by themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, UTCDateTime, utcnow


class DiscoverySource(Base):
    """A registry prefix (``host:port/team``) listed every ``interval_s``; each image:tag becomes a resource.

    The resources it creates carry ``Resource.discovered_by = id`` and live in ``group_id``, a group created
    for the source. The password is encrypted at rest (``secret_enc``) and never returned."""

    __tablename__ = "discovery_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(2048))
    recursive: Mapped[bool] = mapped_column(Boolean, default=False)
    tag_filter: Mapped[str | None] = mapped_column(String(500), nullable=True)
    interval_s: Mapped[int] = mapped_column(Integer, default=3600)
    parallelism: Mapped[int] = mapped_column(Integer, default=1)
    username: Mapped[str | None] = mapped_column(String(512), nullable=True)
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    insecure_http: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_tls: Mapped[bool] = mapped_column(Boolean, default=False)
    # SET NULL: deleting the group by hand must not delete the source; the next sync makes a new one.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("resource_group.id", ondelete="SET NULL"), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sync_status: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "ok" | "error"
    last_sync_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
