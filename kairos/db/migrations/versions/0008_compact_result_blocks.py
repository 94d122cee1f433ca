"""compact result blocks: raw results move from one row per check to one compact block per 15 minutes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 01:00:00

Existing history is converted resource by resource (read along the old per-resource index, written as
blocks); the old table is then dropped. Rollups lose their per-resource index (15-minute) and their foreign
keys, and SQLite's resource ids become AUTOINCREMENT (never reused), see kairos.db.models.history.
"""

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import kairos.db.base
from kairos.history.codec import BlockBuilder, ms_of
from kairos.history.writer import block_row
from kairos.net.timing import Phases
from kairos.probes.base import ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, bucket_of

log = logging.getLogger("kairos.migrate")

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLLUP_COLUMNS = (
    "resource_id INTEGER NOT NULL, bucket BIGINT NOT NULL, available INTEGER NOT NULL, "
    "not_available INTEGER NOT NULL, unknown INTEGER NOT NULL, latency_count INTEGER NOT NULL, "
    "latency_sum FLOAT NOT NULL, latency_min FLOAT, latency_max FLOAT, dns_count INTEGER NOT NULL, "
    "dns_sum FLOAT NOT NULL, connect_count INTEGER NOT NULL, connect_sum FLOAT NOT NULL, "
    "tls_count INTEGER NOT NULL, tls_sum FLOAT NOT NULL"
)


def upgrade() -> None:
    op.create_table(
        "result_block",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=32), nullable=False),
        sa.Column("first_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("not_available", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_block")),
    )
    op.create_index("ix_result_block_bucket_resource", "result_block", ["bucket", "resource_id"], unique=False)
    op.create_table(
        "result_journal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("written_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_journal")),
    )
    _convert_history()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild_rollups()
        with op.batch_alter_table("resource", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
        _sqlite_seed_resource_ids()
    op.drop_table("check_result")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_index("ix_rollup_15m_resource_bucket", table_name="rollup_15m")
        op.drop_constraint("fk_rollup_15m_resource_id_resource", "rollup_15m", type_="foreignkey")
        op.drop_constraint("fk_rollup_1d_resource_id_resource", "rollup_1d", type_="foreignkey")


def downgrade() -> None:
    raise NotImplementedError("history converted to blocks cannot be turned back into rows")


CHUNK_ROWS = 20_000


def _rows_of(conn: Any, resource_id: int) -> Iterator[Any]:
    """One resource's rows in time order, a chunk at a time along the old (resource_id, checked_at) index: a
    resource may have millions of rows, and a streaming cursor cannot share the connection with the inserts."""
    cols = (
        "SELECT id, checked_at, status, latency_ms, dns_ms, connect_ms, tls_ms, ttfb_ms, http_status, error_code, "
        "message, details FROM check_result WHERE resource_id = :rid"
    )
    types: dict[str, Any] = {"checked_at": kairos.db.base.UTCDateTime(), "details": sa.JSON()}
    first = sa.text(f"{cols} ORDER BY checked_at, id LIMIT {CHUNK_ROWS}").columns(**types)
    after = (
        sa.text(
            f"{cols} AND (checked_at > :at OR (checked_at = :at AND id > :id)) ORDER BY checked_at, id LIMIT {CHUNK_ROWS}"
        )
        .bindparams(sa.bindparam("at", type_=kairos.db.base.UTCDateTime()))  # stored as the column stores it
        .columns(**types)
    )
    rows = conn.execute(first, {"rid": resource_id}).all()
    while rows:
        yield from rows
        if len(rows) < CHUNK_ROWS:
            return
        last = rows[-1]
        rows = conn.execute(after, {"rid": resource_id, "at": last.checked_at, "id": last.id}).all()


def _convert_history() -> None:
    """Each resource's rows, read along its old index, become one block per 15-minute bucket."""
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text("SELECT DISTINCT resource_id FROM check_result"))]
    insert = sa.table(
        "result_block",
        *(
            sa.column(c)
            for c in (
                "bucket",
                "resource_id",
                "location",
                "first_ms",
                "last_ms",
                "available",
                "not_available",
                "unknown",
                "payload",
            )
        ),
    ).insert()
    started, converted = time.monotonic(), 0
    for done, rid in enumerate(ids, 1):
        blocks: dict[int, BlockBuilder] = {}
        last = 0
        for row in _rows_of(conn, rid):
            at: datetime = row.checked_at
            ms = max(ms_of(at.astimezone(UTC)), last + 1)
            last = ms
            blocks.setdefault(bucket_of(ms / 1000, FIFTEEN_MIN), BlockBuilder()).add(ms, _result(row, at))
        rows = [block_row(rid, bucket, b) for bucket, b in sorted(blocks.items())]
        if rows:
            conn.execute(insert, rows)
        converted += sum(sum(b.counts()) for b in blocks.values())
        if done % 100 == 0 or done == len(ids):
            log.info(
                "history converted for %d of %d resources (%d results, %.0f s)",
                done,
                len(ids),
                converted,
                time.monotonic() - started,
            )


def _result(row: Any, at: datetime) -> ProbeResult:
    return ProbeResult(
        status=Status(row.status),
        message=row.message or "",
        error_code=row.error_code,
        phases=Phases(row.dns_ms, row.connect_ms, row.tls_ms, row.ttfb_ms, row.latency_ms),
        http_status=row.http_status,
        details=row.details or {},
        checked_at=at,
    )


def _sqlite_rebuild_rollups() -> None:
    """SQLite cannot drop a foreign key: the two WITHOUT ROWID rollup tables are rebuilt without it."""
    for table in ("rollup_15m", "rollup_1d"):
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_resource_bucket")
        op.execute(
            f"CREATE TABLE {table}_new ({ROLLUP_COLUMNS}, "
            f"CONSTRAINT pk_{table} PRIMARY KEY (bucket, resource_id)) WITHOUT ROWID"
        )
        op.execute(f"INSERT INTO {table}_new SELECT {_names()} FROM {table}")
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    op.execute("CREATE INDEX ix_rollup_1d_resource_bucket ON rollup_1d (resource_id, bucket)")


def _sqlite_seed_resource_ids() -> None:
    """Ids a deleted resource left in the history are never handed out again either."""
    conn = op.get_bind()
    used = conn.execute(
        sa.text(
            "SELECT max(m) FROM (SELECT max(id) AS m FROM resource UNION ALL SELECT max(resource_id) FROM check_result "
            "UNION ALL SELECT max(resource_id) FROM rollup_1d UNION ALL SELECT max(resource_id) FROM outage)"
        )
    ).scalar()
    if used:
        conn.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'resource'"))
        conn.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('resource', :seq)"), {"seq": int(used)})


def _names() -> str:
    return ", ".join(part.split()[0] for part in ROLLUP_COLUMNS.split(", "))
