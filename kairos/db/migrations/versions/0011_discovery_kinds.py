"""discovery kinds: Kubernetes sources (API URL, sealed token, CA, namespaces, annotation filter, object kinds)
and the latest-tag-only option

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00

Existing sources become ``REGISTRY`` sources listing every tag, exactly as before.
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = ("object_kinds", "annotation_only", "namespaces", "ca_pem", "token_enc", "api_url", "latest_only", "kind")


def upgrade() -> None:
    with op.batch_alter_table("discovery_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="REGISTRY", nullable=False))
        batch_op.add_column(sa.Column("latest_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("api_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("token_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("ca_pem", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("namespaces", kairos.db.base.JSONType, nullable=True))
        batch_op.add_column(sa.Column("annotation_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("object_kinds", kairos.db.base.JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discovery_source", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.drop_column(name)
