"""api keys carry scopes (STATUS_READ, CHECK_EXECUTE, RESOURCE_MANAGE, ANNOUNCEMENT_MANAGE, MCP_ACCESS, ADMIN)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 06:40:00

Existing keys keep their meaning: an ADMIN key gets ADMIN, a READ key STATUS_READ. ``role`` stays as the
preset's name (ADMIN, READ, or CUSTOM for any other set) for older readers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("scopes", sa.String(length=200), nullable=False, server_default="STATUS_READ"))
    op.execute("UPDATE api_key SET scopes = CASE WHEN role = 'ADMIN' THEN 'ADMIN' ELSE 'STATUS_READ' END")


def downgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("scopes")
