"""Cached client SSL contexts.

Creating an ``SSLContext`` loads the system trust store and costs milliseconds of CPU, more than a whole
loopback request; contexts are immutable once built and safe to share, so there are exactly two per process.
"""

from __future__ import annotations

import functools
import ssl

_ALPN = ["http/1.1"]  # we speak HTTP/1.1 only; say so, so that a server never picks h2


@functools.cache
def verifying_context() -> ssl.SSLContext:
    """System trust store, hostname checked: the default for every probe."""
    ctx = ssl.create_default_context()
    ctx.set_alpn_protocols(_ALPN)
    return ctx


@functools.cache
def insecure_context() -> ssl.SSLContext:
    """No verification at all, for resources marked "skip TLS verification"."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(_ALPN)
    return ctx


def context_for(verify: bool, ca_context: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """The context to use: a caller-supplied one (a private CA) wins when verification is on."""
    if not verify:
        return insecure_context()
    return ca_context if ca_context is not None else verifying_context()


def describe_verify_error(exc: ssl.SSLCertVerificationError) -> str:
    """Say which check failed, in words a user acts on: expired, self-signed, wrong host, unknown issuer."""
    raw = (exc.verify_message or exc.reason or str(exc) or "verification failed").strip()
    text = raw.lower()
    if "expired" in text:
        return "the certificate has expired"
    if "not yet valid" in text:
        return "the certificate is not yet valid"
    if "self-signed" in text or "self signed" in text:
        return "the certificate is self-signed and not trusted"
    if "mismatch" in text:
        return f"the certificate does not match the host name ({raw.rstrip('.')})"
    if "local issuer" in text or "issuer certificate" in text:
        return "the certificate was issued by an unknown authority"
    return raw.rstrip(".")
