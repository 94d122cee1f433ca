"""Which token realms get a registry's credentials.

A registry's 401 names the token server (``Bearer realm="https://auth.example/token"``) and the client sends
the registry's credentials there. The realm comes from the registry's answer, so a registry (or anything
between it and us on plain HTTP) could send the credentials anywhere. Two rules:

- **Scheme pinned.** An HTTPS registry's realm must be HTTPS: a plain ``http://`` realm would put the
  credentials, and the token, on the wire in clear. Refused with ``token_realm_refused``, credentials or not.
- **Foreign hosts get no credentials.** The credentials go to the registry's own host, or to a host in the
  same domain (``registry-1.docker.io`` -> ``auth.docker.io``, ``registry.gitlab.com`` -> ``gitlab.com``).
  Any other realm host is asked for an anonymous token (public images keep working) and a warning is logged
  once per registry and realm host. Real registries keep their token server in their own domain."""

from __future__ import annotations

import ipaddress
import logging
import threading
from typing import Literal
from urllib.parse import urlsplit

log = logging.getLogger("kairos.registry")

# Second-level labels of country domains that are public suffixes themselves (example.co.uk): a registry
# directly below one of them widens to nothing, so "registry.co.uk" never trusts "evil.co.uk".
_PUBLIC_SECOND_LEVELS = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gv", "mil"})
_WARNED_MAX = 1024

Decision = Literal["credentials", "anonymous"]


class RealmRefused(Exception):
    """The realm may not be used at all (a plain-HTTP realm for an HTTPS registry)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _domain(host: str) -> str:
    """The domain whose hosts share the registry's credentials: the host without its first label, unless
    that would leave a bare TLD or a public second level; IP literals only trust themselves."""
    labels = host.split(".")
    if _is_ip(host) or len(labels) <= 2:
        return host
    parent = labels[1:]
    if len(parent) == 2 and len(parent[1]) == 2 and parent[0] in _PUBLIC_SECOND_LEVELS:
        return host
    return ".".join(parent)


def same_site(registry_host: str, realm_host: str) -> bool:
    if not registry_host or not realm_host:
        return False
    if realm_host == registry_host:
        return True
    domain = _domain(registry_host)
    return realm_host == domain or realm_host.endswith("." + domain)


def decide(registry_url: str, realm: str, *, has_credential: bool) -> Decision:
    """Whether the realm gets the credentials; :class:`RealmRefused` when it may not be used at all."""
    registry_scheme = urlsplit(registry_url).scheme.lower()
    realm_scheme = realm.partition("://")[0].lower() if "://" in realm else ""
    if registry_scheme == "https" and realm_scheme != "https":
        raise RealmRefused(
            f"the HTTPS registry named a token realm that is not HTTPS ({realm[:100]}): "
            "Kairos does not fetch tokens in clear text"
        )
    registry_host, realm_host = host_of(registry_url), host_of(realm)
    if not has_credential or same_site(registry_host, realm_host):
        return "credentials"
    _warn_once(registry_host, realm_host)
    return "anonymous"


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def _warn_once(registry_host: str, realm_host: str) -> None:
    with _warned_lock:
        if (registry_host, realm_host) in _warned or len(_warned) >= _WARNED_MAX:
            return
        _warned.add((registry_host, realm_host))
    log.warning(
        "registry %s names a token realm on another host (%s): its credentials are not sent there, "
        "the token is requested anonymously (docs/images.md, token realms)",
        registry_host,
        realm_host,
    )
