"""status pages (issue 15; filled in by its change)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:30:00
"""

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
