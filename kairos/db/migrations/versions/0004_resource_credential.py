"""resource credential

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_resource_credential_id_credential'), 'credential',
                                    ['credential_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_resource_credential_id_credential'), type_='foreignkey')
        batch_op.drop_column('credential_id')
