"""Process configuration, read from ``KAIROS_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
import re
import secrets
import socket
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE_NAME = "secret.key"
LOCATION_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


class SettingsError(Exception):
    """A configuration value is wrong; the message names the variable and the reason."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAIROS_", env_file=".env", extra="ignore")
    _database_password: str | None = PrivateAttr(None)

    data_dir: Path = Path("./data")
    database_url: str = Field("", repr=False)  # may hold a password: keep it out of repr() and tracebacks
    host: str = "0.0.0.0"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    log_level: str = "info"
    scheduler_enabled: bool = True
    # Results are buffered and written together; these bound the buffer's age and size.
    flush_interval_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    flush_batch_size: Annotated[int, Field(ge=1, le=100_000)] = 500
    retention_days: Annotated[int | None, Field(ge=1)] = None  # raw check results; rollups are kept
    outage_retention_days: Annotated[int | None, Field(ge=1)] = None  # closed outages; open ones are never removed
    housekeeping_interval_s: Annotated[float, Field(ge=10, le=86_400)] = 3600.0
    config_file: Path | None = None  # a kairos/v1 YAML applied at start (GitOps)
    # Notifications (docs/notifications.md): delivery attempts before a message is dead, and the grouping window
    # that turns many simultaneous events into one message per channel.
    notify_max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    notify_group_window_s: Annotated[float, Field(ge=0, le=300)] = 10.0
    notify_retention_days: Annotated[int, Field(ge=1)] = 30  # sent and dead deliveries; pending ones stay
    # Days before a TLS certificate's notAfter at which cert_expiring is sent, once each (docs/certificates.md).
    cert_notice_days: str = "21,14,7,1"
    admin_email: str = "admin@kairos.local"
    admin_password: SecretStr = SecretStr("admin")
    user_agent: str = "Kairos-Monitor/0.1"
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    # Proxies whose X-Forwarded-Proto/-For are trusted (comma-separated addresses, or "*"): behind a TLS proxy
    # this makes the session cookie Secure and the client address right for login throttling.
    forwarded_allow_ips: str = "127.0.0.1"
    shutdown_grace_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    database_password_file: Path | None = None  # put into the database URL, so the URL can live in plain config

    # Access (docs/access.md). "private": every page and read endpoint needs a signed-in user or a key.
    access_mode: Literal["public", "private"] = "public"
    metrics_require_key: bool = False  # /actuator/prometheus and /metrics only with an API key
    # Tag keys added as labels to the per-resource series, e.g. "team,env" (docs/tags.md: each value is a series).
    metrics_tag_labels: str = ""
    # Cardinality of the metrics (docs/metrics.md): "all" per-resource series, "groups" only counts per group and
    # in total, "none" totals only; the per-resource latency series; which resources get per-resource series
    # (group names, comma-separated; tag filters key:value, comma-separated; empty: every resource).
    metrics_resource_series: Literal["all", "groups", "none"] = "all"
    metrics_latency: bool = True
    metrics_groups: str = ""
    metrics_tags: str = ""
    cors_origins: str = ""  # comma-separated origins allowed to call /api from a browser; none by default
    embed_frame_ancestors: str = "*"  # who may frame /embed/* (CSP frame-ancestors); every other page: nobody
    local_login_enabled: bool = True  # the email + password form beside (or, when false, instead of) OIDC

    # Hardening (docs/security.md). Host names the server answers to besides localhost, IP literals and the host of
    # public_url ("*" turns the check off); a request naming any other Host gets 400 before routing (DNS rebinding).
    public_url: str = ""  # the URL users reach Kairos at, e.g. https://status.example.com
    allowed_hosts: str = ""
    # Networks no check may connect to (CIDRs, comma-separated), checked after DNS and on every redirect hop.
    # Empty by default: monitoring a service on the same host is normal. Shared installs: see docs/security.md.
    denied_networks: str = ""
    # Secret references in configuration as code: files only below secrets_dir, environment variables only with
    # secret_env_prefix; over the HTTP import (admin API and console) only when config_api_secrets is true.
    secrets_dir: Path | None = None
    secret_env_prefix: str = "KAIROS_SECRET_"
    config_api_secrets: bool = False
    # Instant checks (POST /api/instant-check, admins only): at most this many at once per caller, and in all.
    instant_checks_per_caller: Annotated[int, Field(ge=1, le=16)] = 2
    # The status board shows every row up to this many resources (as the caller sees them); above it, counts,
    # problems first and groups collapsed, loaded when opened (docs/dashboard.md).
    dashboard_collapse_above: Annotated[int, Field(ge=0, le=10_000_000)] = 200
    # Outbound proxy (docs/proxy.md): http://[user:pass@]host:port (HTTP CONNECT) or socks5://…, and the hosts that
    # use it (comma-separated names, *.wildcards, .suffixes and CIDRs; empty include: every host; exclude wins).
    # When any of the three is set, the default proxy is managed here and read-only in the console and API.
    proxy_url: SecretStr | None = None  # may hold a password: a secret, kept out of repr() and tracebacks
    proxy_include: str = ""
    proxy_exclude: str = ""
    # Uvicorn: a client must send its request headers within this long (slow clients hold file descriptors).
    request_header_timeout_s: Annotated[float, Field(gt=0, le=300)] = 10.0

    # The fleet (docs/fleet.md, PostgreSQL only). "all": one process does everything (the default); "web": pages,
    # API and stream, no checks; "worker": checks and background jobs, with a health and metrics listener only.
    role: Literal["all", "web", "worker"] = "all"
    location: str = "local"  # where this process checks from; results and per-location state carry it
    worker_id: str = ""  # default: host name and process id
    worker_port: Annotated[int, Field(ge=0, le=65535)] = 9464  # /actuator/health and /metrics; 0: any free port
    heartbeat_interval_s: Annotated[float, Field(ge=0.5, le=60)] = 5.0  # a location is down after two missed

    # OpenID Connect login (docs/oidc.md).
    oidc_enabled: bool = False
    oidc_issuer_uri: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    oidc_scopes: str = "openid email profile"
    oidc_display_name: str = "single sign-on"  # "Sign in with <this>"
    oidc_redirect_uri: str = ""  # default: <this server>/auth/callback as the browser reached it
    # Claim-to-role mapping: users whose claim (a dotted path, e.g. Keycloak's realm_access.roles) holds one of
    # the admin values become ADMIN, everyone else USER.
    oidc_role_claim: str = "groups"
    oidc_admin_values: str = ""

    @field_validator("cert_notice_days")
    @classmethod
    def _valid_cert_days(cls, v: str) -> str:
        from kairos.notify.cert_thresholds import parse_thresholds  # here: settings import nothing at load

        parse_thresholds(v)
        return v

    @field_validator("metrics_tags")
    @classmethod
    def _valid_metrics_tags(cls, v: str) -> str:
        from kairos.metrics_options import parse_tag_filters  # imported here: settings import nothing at load

        parse_tag_filters(v)  # ValueError naming the filter's rule; load_settings names the variable
        return v

    @field_validator("denied_networks")
    @classmethod
    def _valid_networks(cls, v: str) -> str:
        from kairos.net.denylist import parse_networks  # imported here: kairos.net is not needed to read settings

        parse_networks(v)  # ValueError naming the entry that is not a CIDR; load_settings names the variable
        return v

    @field_validator("proxy_url")
    @classmethod
    def _valid_proxy(cls, v: SecretStr | None) -> SecretStr | None:
        from kairos.net.proxy_rules import parse_proxy_url  # kairos.net is not needed to read settings

        if v is not None and v.get_secret_value().strip():
            parse_proxy_url(v.get_secret_value())  # its messages never repeat the URL (it may hold a password)
            return v
        return None

    @field_validator("proxy_include", "proxy_exclude")
    @classmethod
    def _valid_proxy_rules(cls, v: str) -> str:
        from kairos.net.proxy_rules import parse_rules

        parse_rules(v)  # ValueError naming the item that is neither a host pattern nor a CIDR
        return v

    @property
    def proxy_from_environment(self) -> bool:
        """The default proxy is set by KAIROS_PROXY_* (then the console shows it and cannot change it)."""
        return self.proxy_url is not None or bool(self.proxy_include.strip() or self.proxy_exclude.strip())

    @field_validator("location")
    @classmethod
    def _location_name(cls, v: str) -> str:
        if not LOCATION_NAME.fullmatch(v):
            raise ValueError("must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter or digit")
        return v

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        if v.lower() not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("must be one of critical, error, warning, info, debug")
        return v.lower()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, v: str) -> str:
        if v and not v.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+psycopg://")
        return v

    @model_validator(mode="after")
    def _secrets_from_files(self) -> Settings:
        if self.secret_key is None and self.secret_key_file is not None:
            self.secret_key = SecretStr(_read_secret(self.secret_key_file, "KAIROS_SECRET_KEY_FILE"))
        if self.oidc_client_secret is None and self.oidc_client_secret_file is not None:
            self.oidc_client_secret = SecretStr(
                _read_secret(self.oidc_client_secret_file, "KAIROS_OIDC_CLIENT_SECRET_FILE")
            )
        if self.database_password_file is not None:
            # Read once, here, so an unreadable file is a start-up error naming the variable.
            self._database_password = _read_secret(self.database_password_file, "KAIROS_DATABASE_PASSWORD_FILE")
        if self.oidc_enabled and not (self.oidc_issuer_uri and self.oidc_client_id):
            raise ValueError("KAIROS_OIDC_ENABLED needs KAIROS_OIDC_ISSUER_URI and KAIROS_OIDC_CLIENT_ID")
        return self

    @staticmethod
    def _split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return self._split(self.cors_origins)

    @property
    def oidc_admin_value_list(self) -> list[str]:
        return self._split(self.oidc_admin_values)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = normalise_database_url(self.database_url)
            if self._database_password is not None:
                from sqlalchemy.engine import make_url  # here: `kairos check` and `--help` start without SQLAlchemy

                url = make_url(url).set(password=self._database_password).render_as_string(hide_password=False)
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'kairos.db').resolve()}"

    @property
    def resolved_worker_id(self) -> str:
        return self.worker_id or f"{socket.gethostname()}-{os.getpid()}"[:128]

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def resolved_secret(self) -> str:
        """The secret key: configured, or generated once and kept in the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / SECRET_FILE_NAME
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the database and this key
        value = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
        self.secret_key = SecretStr(value)
        return value


def _read_secret(path: Path, variable: str) -> str:
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise ValueError(f"{variable} cannot be read: {exc.strerror}") from None


def normalise_database_url(url: str) -> str:
    """Accept the driverless spellings users paste and pick our async drivers."""
    for prefix, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    return url


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises SettingsError naming the ``KAIROS_`` variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            # Checks across fields (secret files, OIDC) name their variables in the message themselves.
            problems.append(f"KAIROS_{field.upper()}: {message}" if field else message)
        raise SettingsError("; ".join(problems)) from None
