"""status pages (several public pages of chosen groups, logo, custom domain) and resource tags

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:30:00
"""

import sqlalchemy as sa
from alembic import op

import kairos.db.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=32), nullable=True),
        sa.Column("domain", sa.String(length=253), nullable=True),
        sa.Column("created_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kairos.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_status_page_slug")),
        sa.UniqueConstraint("domain", name=op.f("uq_status_page_domain")),
    )
    op.create_table(
        "status_page_group",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["status_page.id"], name=op.f("fk_status_page_group_page_id_status_page"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["resource_group.id"],
            name=op.f("fk_status_page_group_group_id_resource_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_id", "group_id", name=op.f("pk_status_page_group")),
    )
    op.create_table(
        "status_page_announcement",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["status_page.id"],
            name=op.f("fk_status_page_announcement_page_id_status_page"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_status_page_announcement_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_id", "announcement_id", name=op.f("pk_status_page_announcement")),
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("key", "value", name=op.f("uq_tag_key_value")),
    )
    op.create_table(
        "resource_tag",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_resource_tag_resource_id_resource"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_resource_tag_tag_id_tag"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", "tag_id", name=op.f("pk_resource_tag")),
    )
    op.create_index(op.f("ix_resource_tag_tag_id"), "resource_tag", ["tag_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_resource_tag_tag_id"), table_name="resource_tag")
    op.drop_table("resource_tag")
    op.drop_table("tag")
    op.drop_table("status_page_announcement")
    op.drop_table("status_page_group")
    op.drop_table("status_page")
