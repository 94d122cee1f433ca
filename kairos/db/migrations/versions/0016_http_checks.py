"""http checks: a resource's own outage/recovery thresholds (null: its kind's) and upside-down mode

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 07:30:00

The request body, content type and assertions are HTTP options, kept in ``resource.config`` (no column).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it for these): a batch copy of the table would drop the AUTOINCREMENT that
    # 0008 gave it, and SQLite would hand a deleted resource's id out again.
    op.add_column("resource", sa.Column("outage_threshold", sa.Integer(), nullable=True))
    op.add_column("resource", sa.Column("recovery_threshold", sa.Integer(), nullable=True))
    op.add_column("resource", sa.Column("upside_down", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("resource", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("upside_down")
        batch.drop_column("recovery_threshold")
        batch.drop_column("outage_threshold")
