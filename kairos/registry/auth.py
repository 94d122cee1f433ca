"""Registry authentication: the ``WWW-Authenticate`` parser, Bearer token requests and the token cache.

Registries answer 401 with a challenge: ``Basic realm="…"`` (send the credentials) or ``Bearer realm="…",
service="…",scope="…"`` (get a token from the realm, then retry with it). Tokens are cached per registry,
scope and credential identity, so a steady-state check sends no token request at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kairos import net
from kairos.net.client import basic_auth_header

Clock = Callable[[], float]

DEFAULT_EXPIRES_IN_S = 60  # the token spec's value when the server does not say
MAX_MARGIN_S = 30.0  # stop using a token this long before it expires (clock skew, slow requests)
MAX_TOKEN_BYTES = 256 * 1024  # what is read of a token answer
# The cache is bounded in bytes, not only entries: instant checks can make it fetch many tokens, and one
# answer may carry up to MAX_TOKEN_BYTES. Real tokens are a few KB; a larger one is used but not kept.
CACHE_MAX_BYTES = 8 * 1024 * 1024
CACHE_MAX_TOKEN_BYTES = 64 * 1024

# RFC 9110 token characters; anything else between challenges is skipped rather than fatal.
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*")


@dataclass(frozen=True, slots=True)
class Challenge:
    scheme: str  # lower case: "bearer", "basic", …
    params: dict[str, str] = field(default_factory=dict)  # names lower case; a token68 is under "token68"


class TokenFailed(Exception):
    """The token endpoint could not be used: unreachable, timed out, or answered nonsense."""

    def __init__(self, message: str, *, unauthorized: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.unauthorized = unauthorized  # the realm refused our credentials (401/403)
        self.status = status


def parse_www_authenticate(values: str | list[str]) -> list[Challenge]:
    """All challenges in one or several ``WWW-Authenticate`` values; tolerant of odd spacing and case."""
    text = ", ".join(values) if isinstance(values, list) else values
    scanner = _Scanner(text)
    challenges: list[Challenge] = []
    while not scanner.done():
        scanner.skip(" \t,")
        word = scanner.token()
        if not word:
            scanner.pos += 1  # a stray character: skip it instead of giving up on the whole header
            continue
        scanner.skip(" \t")
        if scanner.peek() == "=" and challenges:
            scanner.pos += 1
            scanner.skip(" \t")
            challenges[-1].params[word.lower()] = scanner.value()
            continue
        challenge = Challenge(word.lower())
        challenges.append(challenge)
        token68 = scanner.token68()
        if token68 is not None:
            challenge.params["token68"] = token68
    return challenges


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def token(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _TCHAR:
            self.pos += 1
        return self.text[start : self.pos]

    def value(self) -> str:
        if self.peek() != '"':
            return self.token()
        out: list[str] = []
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "\\" and self.pos < len(self.text):
                out.append(self.text[self.pos])  # quoted-pair: the next character stands for itself
                self.pos += 1
            elif ch == '"':
                break
            else:
                out.append(ch)
        return "".join(out)

    def token68(self) -> str | None:
        """A token68 right after the scheme (``Negotiate abc==``), but not the first ``name=value``."""
        match = _TOKEN68.match(self.text, self.pos)
        if not match:
            return None
        after = self.text[match.end() :].lstrip(" \t")
        if after and not after.startswith(","):
            return None
        self.pos = match.end()
        return match.group(0)


def choose(challenges: list[Challenge]) -> Challenge | None:
    """Bearer when offered (it scopes access), else Basic; other schemes are not for registries."""
    for scheme in ("bearer", "basic"):
        for challenge in challenges:
            if challenge.scheme == scheme:
                return challenge
    return None


def identity(credential: tuple[str, str] | None) -> str:
    """A cache key for a credential that never holds the secret itself."""
    if credential is None:
        return "anonymous"
    return hashlib.sha256(f"{credential[0]}\0{credential[1]}".encode()).hexdigest()[:32]


@dataclass(slots=True)
class _Entry:
    token: str
    valid_until: float
    size: int


def _size(key: tuple[str, str, str], token: str) -> int:
    """What an entry costs, roughly: its strings' lengths (the key's parts are bounded by the request)."""
    return len(token) + sum(len(part) for part in key)


class TokenCache:
    """Bearer tokens keyed by (registry, scope, credential identity), dropped shortly before they expire.

    Shared by every check in the process (the probe runner runs checks concurrently, hence the lock); at most
    ``max_entries`` entries and ``max_bytes`` in all, the least recently used going first, and a token over
    ``max_token_bytes`` is not kept. Also remembers which registries asked for Basic, so that later checks
    send credentials up front."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        max_entries: int = 10_000,
        max_bytes: int = CACHE_MAX_BYTES,
        max_token_bytes: int = CACHE_MAX_TOKEN_BYTES,
    ) -> None:
        self.clock = clock
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_token_bytes = max_token_bytes
        self._tokens: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self._bytes = 0
        self._basic: set[str] = set()
        self._lock = threading.Lock()

    @property
    def bytes_used(self) -> int:
        """The size of what is cached (tokens and keys), never above ``max_bytes``."""
        return self._bytes

    @property
    def entries(self) -> int:
        # Not __len__: an empty cache must stay truthy for ``cache or default`` callers.
        return len(self._tokens)

    def get(self, registry: str, scope: str, ident: str) -> str | None:
        key = (registry, scope, ident)
        with self._lock:
            entry = self._tokens.get(key)
            if entry is None:
                return None
            if self.clock() >= entry.valid_until:
                self._drop(key)
                return None
            self._tokens.move_to_end(key)
            return entry.token

    def put(self, registry: str, scope: str, ident: str, token: str, expires_in: float | None) -> None:
        lifetime = float(expires_in) if expires_in and expires_in > 0 else float(DEFAULT_EXPIRES_IN_S)
        margin = min(MAX_MARGIN_S, lifetime / 10.0)
        key = (registry, scope, ident)
        size = _size(key, token)
        with self._lock:
            self._drop(key)
            if len(token) > self.max_token_bytes or size > self.max_bytes:
                return
            self._make_room(size)
            self._tokens[key] = _Entry(token, self.clock() + lifetime - margin, size)
            self._bytes += size

    def forget(self, registry: str, scope: str, ident: str) -> None:
        with self._lock:
            self._drop((registry, scope, ident))

    def mark_basic(self, registry: str) -> None:
        with self._lock:
            if len(self._basic) < self.max_entries:  # registry names: bounded like the tokens
                self._basic.add(registry)

    def wants_basic(self, registry: str) -> bool:
        return registry in self._basic

    def _drop(self, key: tuple[str, str, str]) -> None:
        entry = self._tokens.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def _make_room(self, size: int) -> None:
        if len(self._tokens) >= self.max_entries or self._bytes + size > self.max_bytes:
            now = self.clock()
            for key in [k for k, e in self._tokens.items() if now >= e.valid_until]:
                self._drop(key)
        while self._tokens and (len(self._tokens) >= self.max_entries or self._bytes + size > self.max_bytes):
            self._drop(next(iter(self._tokens)))  # least recently used first


DEFAULT_CACHE = TokenCache()


async def request_token(
    session: net.Session,
    challenge: Challenge,
    scope: str,
    credential: tuple[str, str] | None,
    *,
    timeout_s: float,
) -> tuple[str, float | None, int]:
    """GET a token from the challenge's realm; returns (token, expires_in, HTTP requests sent).

    Raises :class:`TokenFailed`; a TLS verification failure stays a ``net.TlsInvalid`` (same code as HTTP checks),
    and a realm the target policy denies stays a ``net.TargetDenied`` (the operator's policy, not the registry's
    fault: UNKNOWN with ``target_denied``, like a denied registry)."""
    realm = challenge.params.get("realm", "")
    if not realm:
        raise TokenFailed("the registry asked for a Bearer token but named no realm")
    query = {k: v for k, v in (("service", challenge.params.get("service", "")), ("scope", scope)) if v}
    url = realm + ("&" if "?" in realm else "?") + urlencode(query)
    headers = [("Accept", "application/json")]
    if credential is not None:
        headers.append(("Authorization", basic_auth_header(*credential)))
    try:
        result = await session.fetch(url, headers=headers, timeout_s=timeout_s, max_redirects=3)
    except (net.TlsInvalid, net.TargetDenied):
        raise
    except net.NetError as exc:
        raise TokenFailed(f"token server {_origin(realm)}: {exc.message}") from None
    except ValueError as exc:
        raise TokenFailed(f"token realm '{realm[:100]}' is not a usable URL: {exc}") from None
    requests = 1 + len(result.redirects)
    if result.status in (401, 403):
        raise TokenFailed(
            f"token server {_origin(realm)} refused the credentials (HTTP {result.status})",
            unauthorized=True,
            status=result.status,
        )
    if result.status != 200:
        raise TokenFailed(f"token server {_origin(realm)} answered HTTP {result.status}", status=result.status)
    token, expires_in = _read_token(result.body, realm)
    return token, expires_in, requests


def _read_token(body: bytes, realm: str) -> tuple[str, float | None]:
    try:
        data = json.loads(body[:MAX_TOKEN_BYTES])
    except ValueError:
        raise TokenFailed(f"token server {_origin(realm)} did not answer with JSON") from None
    if not isinstance(data, dict):
        raise TokenFailed(f"token server {_origin(realm)} answered JSON without a token")
    # The Docker spec says "token"; OAuth2-style servers send "access_token" only.
    token = data.get("token") or data.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenFailed(f"token server {_origin(realm)} answered without a token")
    expires_in = data.get("expires_in")
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
        return token, float(expires_in)
    return token, None


def _origin(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.split('/', 1)[0]}" if sep else url[:100]
