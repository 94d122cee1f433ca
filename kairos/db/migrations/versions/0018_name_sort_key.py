"""natural sort of names: ``name_key`` (kairos/naming.py) on resource and resource_group, indexed, backfilled

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 10:45:00
"""

import sqlalchemy as sa
from alembic import op

from kairos.naming import KEY_LENGTH, natural_key

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_TABLES = ("resource", "resource_group")
_BATCH = 1000  # rows per UPDATE round: 100,000 resources are a hundred executemany calls, never one huge one


def _key_type() -> sa.types.TypeEngine[str]:
    # Byte order on PostgreSQL whatever the database's locale (kairos/db/name_key.py).
    return sa.String(KEY_LENGTH).with_variant(sa.String(KEY_LENGTH, collation="C"), "postgresql")


def _backfill(table: str) -> None:
    conn = op.get_bind()
    named = sa.table(table, sa.column("id", sa.Integer()), sa.column("name", sa.String()), sa.column("name_key"))
    update = named.update().where(named.c.id == sa.bindparam("row_id")).values(name_key=sa.bindparam("key"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(named.c.id, named.c.name).where(named.c.id > last).order_by(named.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(update, [{"row_id": row_id, "key": natural_key(name or "")} for row_id, name in rows])
        last = rows[-1][0]


def upgrade() -> None:
    for table in _TABLES:
        # Plain ADD COLUMN (a batch copy of `resource` would drop its AUTOINCREMENT, see 0016); NOT NULL needs a
        # server default for the rows already there, which the backfill then replaces.
        op.add_column(table, sa.Column("name_key", _key_type(), nullable=False, server_default=""))
        _backfill(table)
        op.create_index(op.f(f"ix_{table}_name_key"), table, ["name_key"])


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite has it since 3.35, once the index is gone): no table copy, ids stay unique.
    for table in reversed(_TABLES):
        op.drop_index(op.f(f"ix_{table}_name_key"), table_name=table)
        op.drop_column(table, "name_key")
