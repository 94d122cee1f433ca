"""What Kairos agrees to connect to, and the limits every request keeps.

Validation happens when a resource is saved (the API calls these functions) and again before each request,
so a bad URL never reaches a socket and its error message tells the user what to change.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

MAX_URL_LENGTH = 2048
MAX_REDIRECTS = 20
MAX_HOST_LENGTH = 253
DEFAULT_PORTS = {"http": 80, "https": 443}

# One DNS label: letters, digits, hyphens inside; underscores appear in real internal names, so allow them.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_PORT = re.compile(r"^[0-9]{1,5}$")
# Characters kept as they are in a request target; everything else (spaces, non-ASCII) is percent-encoded.
_TARGET_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass(frozen=True, slots=True)
class HttpTarget:
    """A validated http(s) URL taken apart for the client."""

    url: str
    scheme: str
    host: str  # without brackets, lower case, IDNA-encoded
    port: int
    target: str  # path and query, as sent on the request line

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"


def validate_http_url(url: str) -> str:
    """Return ``url`` normalised (scheme and host lower case) or raise ``ValueError`` saying what is wrong."""
    return parse_http_url(url).url


# Every check of a resource parses the same URL again; HttpTarget is immutable, so remember the answer.
@functools.lru_cache(maxsize=16384)
def parse_http_url(url: str) -> HttpTarget:
    url = url.strip()
    if not url:
        raise ValueError("URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("URL contains whitespace or control characters")
    scheme, sep, rest = url.partition(":")
    # "localhost:8080" parses as scheme "localhost"; a digit after the colon means a port, not a scheme.
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) or rest[:1].isdigit():
        raise ValueError("URL has no scheme; start it with http:// or https://")
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"scheme '{scheme}' is not supported; use http or https")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # urllib's own complaint, e.g. "Invalid IPv6 URL"
        raise ValueError(f"URL is not valid: {exc}") from None
    hostport = _strip_userinfo(parts.netloc)
    if not hostport:
        raise ValueError("URL has no host")
    host, port = _split_host_port(hostport, default_port=DEFAULT_PORTS[scheme])
    target = quote(parts.path or "/", safe=_TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_TARGET_SAFE)
    shown_host = f"[{host}]" if ":" in host else host
    shown_port = "" if port == DEFAULT_PORTS[scheme] and not _has_explicit_port(hostport) else f":{port}"
    normalised = f"{scheme}://{shown_host}{shown_port}{target}"
    if parts.fragment:
        normalised += "#" + parts.fragment
    return HttpTarget(normalised, scheme, host, port, target)


def validate_host_port(target: str) -> tuple[str, int]:
    """Parse ``host:port`` (``[::1]:443`` for IPv6) for TCP checks; raise ``ValueError`` when invalid."""
    target = target.strip()
    if not target:
        raise ValueError("target is empty; expected host:port")
    if "://" in target:
        raise ValueError("give host:port without a scheme, e.g. db.example.com:5432")
    if any(ch.isspace() for ch in target) or "/" in target or "@" in target:
        raise ValueError("target must be host:port, without spaces, paths or user names")
    return _split_host_port(target, default_port=None)


def format_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _strip_userinfo(netloc: str) -> str:
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return netloc
    if ":" in userinfo:
        raise ValueError("URL contains a password; remove user:password@ and add a credential instead")
    raise ValueError("URL contains a user name; remove user@ and add a credential instead")


def _has_explicit_port(hostport: str) -> bool:
    return bool(re.search(r":[0-9]+$", hostport)) and not hostport.endswith("]")


def _split_host_port(hostport: str, *, default_port: int | None) -> tuple[str, int]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError("IPv6 address is missing its closing ']'")
        host, rest = _check_ipv6(hostport[1:end]), hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError("unexpected characters after the IPv6 address")
        port_text = rest[1:] if rest else None
    else:
        if hostport.count(":") > 1:
            raise ValueError("put IPv6 addresses in brackets, e.g. [::1]:443")
        host, colon, port_text_raw = hostport.partition(":")
        port_text = port_text_raw if colon else None
        host = _check_host(host)
    return host, _check_port(port_text, default_port)


def _check_port(text: str | None, default_port: int | None) -> int:
    if text is None or text == "":
        if default_port is None:
            raise ValueError("port is missing; expected host:port")
        return default_port
    if not _PORT.match(text):
        raise ValueError(f"port '{text[:20]}' is not a number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range 1-65535")
    return port


def _check_ipv6(host: str) -> str:
    try:
        return str(ipaddress.IPv6Address(host))
    except ValueError:
        raise ValueError(f"'{host[:60]}' is not a valid IPv6 address") from None


def _check_host(host: str) -> str:
    if not host:
        raise ValueError("URL has no host")
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"'{host[:60]}' is not a valid host name") from None
    name = ascii_host.rstrip(".")
    if name.rsplit(".", 1)[-1].isdigit():
        raise ValueError(f"'{host[:60]}' is not a valid IPv4 address or host name")
    if not name or len(name) > MAX_HOST_LENGTH or not all(_LABEL.match(lbl) for lbl in name.split(".")):
        raise ValueError(f"'{host[:60]}' is not a valid host name")
    return name
