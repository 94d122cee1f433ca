"""What is monitored: resources, their groups, per-kind settings and target credentials."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kairos.db.base import Base, JSONType, UTCDateTime, utcnow
from kairos.db.name_key import name_key_column
from kairos.naming import natural_key

if TYPE_CHECKING:
    from kairos.db.models.tags import Tag


class Resource(Base):
    __tablename__ = "resource"
    # Ids are never reused (SQLite would hand a deleted highest id to the next resource): badges, links and the
    # history blocks of a deleted resource must not turn into those of a new one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # natural_key(name), kept by _keep_name_key: lists order by it (kairos/naming.py).
    name_key: Mapped[str] = name_key_column()
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(2048))
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timeout_s: Mapped[float | None] = mapped_column(nullable=True)
    skip_tls: Mapped[bool] = mapped_column(Boolean, default=False)
    recursive: Mapped[bool] = mapped_column(Boolean, default=False)
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    discovered_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Credentials of this resource's own; when null, the credential whose pattern matches the target is used.
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credential.id", ondelete="SET NULL"), nullable=True)
    # Set by discovery when the image:tag left the registry (the resource is then disabled, never deleted);
    # cleared when it comes back.
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The fleet (docs/fleet.md): the locations that check it (null: every live one) and how many must see it
    # available (null: its kind's policy; "any", "majority", "all" or a number).
    locations: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    quorum: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The outbound route (docs/proxy.md): null follows the default proxy rules; "direct" or a named proxy's name.
    proxy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Its own outage and recovery thresholds (null: its kind's); upside-down inverts AVAILABLE and NOT_AVAILABLE
    # (the target must be down), never UNKNOWN (docs/http-checks.md).
    outage_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recovery_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    upside_down: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    memberships: Mapped[list[GroupMember]] = relationship(
        back_populates="resource", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    # Key/value tags (kairos/db/models/tags.py); the link rows go with the resource (ON DELETE CASCADE).
    tags: Mapped[list[Tag]] = relationship(
        secondary="resource_tag", lazy="selectin", passive_deletes=True, order_by="(Tag.key, Tag.value)"
    )

    @validates("name")
    def _keep_name_key(self, _: str, name: str) -> str:
        self.name_key = natural_key(name)
        return name


class ResourceGroup(Base):
    __tablename__ = "resource_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str] = name_key_column()  # natural_key(name), as on Resource
    visibility: Mapped[str] = mapped_column(String(16), default="PUBLIC")
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_name_key(self, _: str, name: str) -> str:
        self.name_key = natural_key(name)
        return name


class GroupMember(Base):
    __tablename__ = "resource_group_member"

    group_id: Mapped[int] = mapped_column(ForeignKey("resource_group.id", ondelete="CASCADE"), primary_key=True)
    # Serves "groups of a resource" (the primary key serves "resources of a group").
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    display_order: Mapped[int] = mapped_column(Integer, default=0)

    resource: Mapped[Resource] = relationship(back_populates="memberships")
    group: Mapped[ResourceGroup] = relationship(lazy="joined")


class ResourceTypeSettings(Base):
    __tablename__ = "resource_type_settings"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    interval_s: Mapped[int] = mapped_column(Integer)
    parallelism: Mapped[int] = mapped_column(Integer)
    timeout_s: Mapped[float] = mapped_column()
    outage_threshold: Mapped[int] = mapped_column(Integer, default=3)
    recovery_threshold: Mapped[int] = mapped_column(Integer, default=2)
    quorum: Mapped[str] = mapped_column(String(16), default="majority")  # the fleet's verdict policy


class Credential(Base):
    """Basic credentials for targets whose URL matches ``pattern``; the secret is encrypted at rest."""

    __tablename__ = "credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pattern: Mapped[str] = mapped_column(String(2048))
    username: Mapped[str] = mapped_column(String(512))
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
