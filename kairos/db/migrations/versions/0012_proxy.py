"""outbound proxy: named proxies and a resource's own route (null: the default proxy rules)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 11:00:00

The default proxy edited in the console lives in the ``setting`` table (key ``proxy``); no table for it.
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "named_proxy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("password_enc", sa.LargeBinary(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("created_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("resource") as batch:
        batch.add_column(sa.Column("proxy", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.drop_column("proxy")
    op.drop_table("named_proxy")
