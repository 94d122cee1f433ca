"""maintenance (issue 15): the maintenance_window table (docs/maintenance.md)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 07:30:00
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("schedule", sa.String(length=8), nullable=False),
        sa.Column("starts_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", kairos.db.base.UTCDateTime(), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(length=120), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_ids", sa.JSON(), nullable=False),
        sa.Column("ended_at", kairos.db.base.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("created_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_window")),
    )


def downgrade() -> None:
    op.drop_table("maintenance_window")
