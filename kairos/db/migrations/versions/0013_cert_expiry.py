"""cert expiry (issue 15; filled in by its change)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:30:00

The certificate itself is in each result's details (``certificate``); only the notices sent need a table.
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cert_notice",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("threshold_days", sa.Integer(), nullable=False),
        sa.Column("sent_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", "fingerprint", "threshold_days"),
    )


def downgrade() -> None:
    op.drop_table("cert_notice")
