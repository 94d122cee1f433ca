"""Status pages (issue 15 §6): public pages of chosen groups, each with its own slug, logo and optional domain.

``description_html`` is the description rendered and sanitised like an announcement's (the only form put on a
page). The logo is an uploaded raster image kept in the row: PNG, JPEG, GIF or WebP, sniffed from its bytes,
never SVG (an SVG is a document that can carry script)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kairos.db.base import Base, UTCDateTime, utcnow


class StatusPage(Base):
    __tablename__ = "status_page"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # Deferred: lists and pages never carry up to 256 KiB per row; only the logo endpoint reads it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Lower case, without port; the unique index also serves "which page answers this Host" on ``/``.
    domain: Mapped[str | None] = mapped_column(String(253), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    groups: Mapped[list[StatusPageGroup]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="StatusPageGroup.position",
    )
    announcements: Mapped[list[StatusPageAnnouncement]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class StatusPageGroup(Base):
    """A group shown on a page, at ``position`` (0 first)."""

    __tablename__ = "status_page_group"

    page_id: Mapped[int] = mapped_column(ForeignKey("status_page.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("resource_group.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class StatusPageAnnouncement(Base):
    """An announcement shown on a page (announcements linked to no page show on the dashboard only)."""

    __tablename__ = "status_page_announcement"

    page_id: Mapped[int] = mapped_column(ForeignKey("status_page.id", ondelete="CASCADE"), primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True)
