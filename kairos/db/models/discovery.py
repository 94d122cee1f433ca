"""Discovery sources: registry prefixes whose images become DOCKER resources, and Kubernetes clusters whose
routes, ingresses and HTTP routes become HTTP resources, by themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, JSONType, UTCDateTime, utcnow


class DiscoverySource(Base):
    """A registry prefix (``host:port/team``) listed every ``interval_s``; each image:tag becomes a resource.

    The resources it creates carry ``Resource.discovered_by = id`` and live in ``group_id``, a group created
    for the source. The password is encrypted at rest (``secret_enc``) and never returned.

    ``kind`` is ``REGISTRY`` (the prefix is listed) or ``KUBERNETES`` (the cluster at ``api_url``, or the one
    Kairos runs in when it is null, is listed with the bearer token ``token_enc``, sealed like the password;
    ``prefix`` is empty then)."""

    __tablename__ = "discovery_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="REGISTRY", server_default="REGISTRY")
    prefix: Mapped[str] = mapped_column(String(2048))
    recursive: Mapped[bool] = mapped_column(Boolean, default=False)
    tag_filter: Mapped[str | None] = mapped_column(String(500), nullable=True)
    interval_s: Mapped[int] = mapped_column(Integer, default=3600)
    parallelism: Mapped[int] = mapped_column(Integer, default=1)
    username: Mapped[str | None] = mapped_column(String(512), nullable=True)
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    insecure_http: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_tls: Mapped[bool] = mapped_column(Boolean, default=False)
    latest_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # KUBERNETES only.
    api_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)  # null: in-cluster service account
    token_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    ca_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    namespaces: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)  # null or []: every namespace
    annotation_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    object_kinds: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)  # null: every kind
    # SET NULL: deleting the group by hand must not delete the source; the next sync makes a new one.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("resource_group.id", ondelete="SET NULL"), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sync_status: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "ok" | "error"
    last_sync_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
