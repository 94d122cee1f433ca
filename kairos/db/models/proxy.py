"""Named outbound proxies an admin defines; a resource may go through one of them (``resource.proxy``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kairos.db.base import Base, UTCDateTime, utcnow


class NamedProxy(Base):
    __tablename__ = "named_proxy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # http://[user@]host:port or socks5://…, never with the password: that is sealed in password_enc.
    url: Mapped[str] = mapped_column(String(2048))
    password_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
