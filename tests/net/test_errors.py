"""The mapping from library exceptions to stable codes, for the cases loopback cannot produce."""

from __future__ import annotations

import errno
import socket

import httptools
import pytest

from kairos.net.errors import NetError, classify, deadline_error


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "network_unreachable"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "network_unreachable"),
        (OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), "network_unreachable"),
        (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), "connect_timeout"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "connect_refused"),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), "connection_reset"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns_failed"),
        (httptools.HttpParserInvalidStatusError("illegal status line"), "protocol_error"),
        (OSError(errno.EACCES, "Permission denied"), "network_error"),
    ],
)
def test_it_maps_library_errors_to_stable_codes(exc: BaseException, code: str) -> None:
    error = classify(exc, where="connecting to 192.0.2.1:80")
    assert isinstance(error, NetError) and error.code == code
    assert "\n" not in error.message


@pytest.mark.parametrize(
    ("phase", "code"),
    [
        ("dns", "dns_failed"),
        ("connect", "connect_timeout"),
        ("tls", "timeout"),
        ("wait", "timeout"),
        ("body", "timeout"),
    ],
)
def test_a_deadline_is_named_after_the_phase_it_interrupted(phase: str, code: str) -> None:
    assert deadline_error(phase, 2.5).code == code
    assert "2.5 s" in deadline_error(phase, 2.5).message
