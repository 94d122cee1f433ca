"""fleet: schedule, worker heartbeats, locations, per-location state, and the resource's locations and quorum

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 04:00:00

The new tables are used only by web nodes and workers (PostgreSQL, docs/fleet.md); a single process leaves
them empty. Journal rows get their writer and location, so each worker replaces only its own.
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_worker",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("location", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("started_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("seen_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("leader", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_worker")),
    )
    op.create_table(
        "fleet_location",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("changed_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fleet_location")),
    )
    op.create_table(
        "check_schedule",
        sa.Column("location", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("interval_s", sa.Float(), nullable=False),
        sa.Column("asap_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_check_schedule_resource_id_resource"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("location", "resource_id", name=op.f("pk_check_schedule")),
    )
    op.create_index("ix_check_schedule_location_due", "check_schedule", ["location", "due_at"], unique=False)
    op.create_index(
        "ix_check_schedule_asap",
        "check_schedule",
        ["location", "asap_at"],
        unique=False,
        postgresql_where=sa.text("asap_at IS NOT NULL"),
        sqlite_where=sa.text("asap_at IS NOT NULL"),
    )
    op.create_table(
        "location_state",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fail_streak", sa.Integer(), nullable=False),
        sa.Column("ok_streak", sa.Integer(), nullable=False),
        sa.Column("streak_started_at", kairos.db.base.UTCDateTime(), nullable=True),
        sa.Column("last_checked_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("last_latency_ms", sa.Float(), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=False),
        sa.Column("last_error_code", sa.String(length=64), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_location_state_resource_id_resource"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("resource_id", "location", name=op.f("pk_location_state")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # A fleet rewrites each resource's state rows with every result: room on their pages keeps those updates
        # HOT (no index entry, less WAL). SQLite, and the single process, do not write them per result.
        for table in ("location_state", "resource_state"):
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")
    with op.batch_alter_table("resource") as batch:
        batch.add_column(sa.Column("locations", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("quorum", sa.String(length=16), nullable=True))
    with op.batch_alter_table("resource_type_settings") as batch:
        batch.add_column(sa.Column("quorum", sa.String(length=16), nullable=False, server_default="majority"))
    with op.batch_alter_table("result_journal") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=128), nullable=False, server_default=""))
        batch.add_column(sa.Column("location", sa.String(length=32), nullable=False, server_default="local"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE resource_state RESET (fillfactor)")
    with op.batch_alter_table("result_journal") as batch:
        batch.drop_column("location")
        batch.drop_column("owner")
    with op.batch_alter_table("resource_type_settings") as batch:
        batch.drop_column("quorum")
    with op.batch_alter_table("resource") as batch:
        batch.drop_column("quorum")
        batch.drop_column("locations")
    op.drop_table("location_state")
    op.drop_index("ix_check_schedule_asap", table_name="check_schedule")
    op.drop_index("ix_check_schedule_location_due", table_name="check_schedule")
    op.drop_table("check_schedule")
    op.drop_table("fleet_location")
    op.drop_table("fleet_worker")
