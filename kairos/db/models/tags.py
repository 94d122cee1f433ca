"""Tags (issue 15 §6): key/value labels with a colour that resources carry, for filters and metrics labels.

A tag is one (key, value) pair shared by every resource that carries it, so its colour is set once."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("key", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(128))
    colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb"


class ResourceTag(Base):
    __tablename__ = "resource_tag"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    # Serves "resources carrying this tag" (the ?tag= filters; the primary key serves "tags of a resource").
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)
