"""push: the token hash and the last ping of each PUSH (heartbeat) resource

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 07:30:00
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_heartbeat",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=8), nullable=False),
        sa.Column("issued_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("last_ping_at", kairos.db.base.UTCDateTime(), nullable=True),
        sa.Column("last_signal", sa.String(length=8), nullable=True),
        sa.Column("last_message", sa.String(length=500), nullable=True),
        sa.Column("last_latency_ms", sa.Float(), nullable=True),
        sa.Column("last_source", sa.String(length=64), nullable=True),
        sa.Column("last_body", sa.Text(), nullable=True),
        sa.Column("started_at", kairos.db.base.UTCDateTime(), nullable=True),
        sa.Column("pings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id"),
        sa.UniqueConstraint("token_hash"),  # the ping's lookup by hash
    )


def downgrade() -> None:
    op.drop_table("push_heartbeat")
