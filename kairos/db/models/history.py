"""What happened: raw check results, rollups, current state per resource and outages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, BigId, JSONType, UTCDateTime

STATUS_LEN = 16
JOURNAL_SHARDS = 4


class ResultBlock(Base):
    """One resource's raw results of one 15-minute bucket, compact (kairos.history.codec), written when it closes.

    Appended in (bucket, resource) order, so a close writes a few sequential pages instead of one index page per
    resource. No foreign key: a cascade would need a per-resource index, the very write this layout avoids;
    housekeeping removes the blocks of deleted resources (ids are never reused)."""

    __tablename__ = "result_block"
    __table_args__ = (
        # Serves one resource's history (bucket IN (...) AND resource_id = ?) and retention (bucket < cut-off).
        Index("ix_result_block_bucket_resource", "bucket", "resource_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bucket: Mapped[int] = mapped_column(BigInteger)  # epoch seconds, start of the 15-minute bucket
    resource_id: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(32), default="local")
    first_ms: Mapped[int] = mapped_column(BigInteger)
    last_ms: Mapped[int] = mapped_column(BigInteger)
    available: Mapped[int] = mapped_column(Integer, default=0)
    not_available: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ResultJournal(Base):
    """Results not yet in a closed block, one row per flush: what makes a kill -9 lose at most one flush.

    Replaced by a single row of the still-open results whenever buckets close; read back at start."""

    __tablename__ = "result_journal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # resource id modulo JOURNAL_SHARDS: a flush writes one row per shard, so reading one resource's open results
    # decodes a quarter of the journal (no index: the table holds minutes, a scan of this column is cheap).
    shard: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The worker that wrote it ("" for the single process) and where its results were checked: each worker
    # replaces only its own rows; the rows of a dead worker are closed into blocks by the fleet's leader.
    owner: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(32), default="local")
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class _RollupColumns:
    """Counts and latency sums per (resource, bucket); readers never scan raw history."""

    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds, bucket start
    available: Mapped[int] = mapped_column(Integer, default=0)
    not_available: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    latency_count: Mapped[int] = mapped_column(Integer, default=0)
    latency_sum: Mapped[float] = mapped_column(Float, default=0.0)
    latency_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    dns_count: Mapped[int] = mapped_column(Integer, default=0)
    dns_sum: Mapped[float] = mapped_column(Float, default=0.0)
    connect_count: Mapped[int] = mapped_column(Integer, default=0)
    connect_sum: Mapped[float] = mapped_column(Float, default=0.0)
    tls_count: Mapped[int] = mapped_column(Integer, default=0)
    tls_sum: Mapped[float] = mapped_column(Float, default=0.0)


# Rollups are clustered by (bucket, resource_id) (WITHOUT ROWID on SQLite): the dashboard reads one time range
# across all resources, which is then one sequential range instead of a lookup per row.
# rollup_15m has no per-resource index and no foreign key: both would cost one page per resource every 15
# minutes. One resource's buckets are read by key (bucket IN (...) AND resource_id = ?); housekeeping removes
# the rows of deleted resources. Rows are written once, when their bucket closes (kairos.history.writer).
class Rollup15m(_RollupColumns, Base):
    __tablename__ = "rollup_15m"
    __table_args__ = (
        PrimaryKeyConstraint("bucket", "resource_id"),
        {"sqlite_with_rowid": False},
    )


class Rollup1d(_RollupColumns, Base):
    """Daily rows, added to when each 15-minute bucket of the day closes."""

    __tablename__ = "rollup_1d"
    __table_args__ = (
        PrimaryKeyConstraint("bucket", "resource_id"),
        # Serves one resource's long-window uptime.
        Index("ix_rollup_1d_resource_bucket", "resource_id", "bucket"),
        {"sqlite_with_rowid": False},
    )


class ResourceState(Base):
    """The latest verdict and the streaks that drive outages; survives restarts."""

    __tablename__ = "resource_state"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    fail_streak: Mapped[int] = mapped_column(Integer, default=0)
    ok_streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_message: Mapped[str] = mapped_column(Text, default="")
    last_error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_http_status: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    last_details: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The digest an image tag pointed at when last pullable: a different one later means the tag was re-pushed.
    image_digest: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Outage(Base):
    __tablename__ = "outage"
    __table_args__ = (
        # Serves a resource's outage history and "the active outage of this resource".
        Index("ix_outage_resource_started", "resource_id", "started_at"),
        # Serves the global outage list, newest first.
        Index("ix_outage_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
