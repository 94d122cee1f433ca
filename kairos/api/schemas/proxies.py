"""Outbound proxies: the default one with its rules, and named ones. Passwords are write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from kairos.api.schemas.common import ApiModel, Description, InputModel, PartialModel
from kairos.net.proxy_rules import NAME, RESERVED_NAMES, parse_proxy_url, parse_rules


def _url(value: str) -> str:
    parse_proxy_url(value)  # its messages never repeat the URL: it may hold a password
    return value


def _rules(value: str) -> str:
    return parse_rules(value).text


def _name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise ValueError("must be 1 to 63 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit")
    if value in RESERVED_NAMES:
        raise ValueError(f"'{value}' is reserved (it means a route, not a proxy)")
    return value


ProxyUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2048), AfterValidator(_url)]
Rules = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_rules)]
ProxyName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=63), AfterValidator(_name)]
Secret = Annotated[str, StringConstraints(max_length=4096)]  # never trimmed, never returned

_URL_DOC = (
    "`http://[user[:password]@]host:port` (HTTP CONNECT) or `socks5://…`. A password here is taken out of the URL "
    "and stored encrypted like `password`."
)
_PASSWORD_DOC = "Write-only, stored encrypted, never returned. Missing keeps the stored one; empty removes it."
_RULES_DOC = "Comma-separated host names, `*.wildcards`, `.suffixes` and CIDRs (docs/proxy.md)."


class DefaultProxyUpdate(InputModel):
    url: ProxyUrl | None = Field(None, description=_URL_DOC + " Null: no default proxy (every host direct).")
    password: Secret | None = Field(None, description=_PASSWORD_DOC)
    include: Rules = Field("", description=_RULES_DOC + " Empty: every host.")
    exclude: Rules = Field("", description=_RULES_DOC + " Exclude wins over include.")


class DefaultProxyPublic(ApiModel):
    url: str | None = Field(description="Without the password.")
    has_password: bool
    include: str
    exclude: str
    managed_by: Literal["environment", "console"] = Field(
        description="`environment`: set by KAIROS_PROXY_URL/_INCLUDE/_EXCLUDE, read-only here."
    )


class NamedProxyCreate(InputModel):
    name: ProxyName = Field(description="What a resource's `proxy` field names. Cannot be changed later.")
    url: ProxyUrl = Field(description=_URL_DOC)
    password: Secret | None = Field(None, description=_PASSWORD_DOC)
    description: Description | None = None


class NamedProxyUpdate(PartialModel):
    nullable = frozenset({"description"})

    url: ProxyUrl | None = Field(None, description=_URL_DOC)
    password: Secret | None = Field(None, description=_PASSWORD_DOC)
    description: Description | None = None


class NamedProxyPublic(ApiModel):
    name: str
    url: str = Field(description="Without the password.")
    has_password: bool
    description: str
    created_at: datetime


class ProxiesPublic(ApiModel):
    default: DefaultProxyPublic
    named: list[NamedProxyPublic]
