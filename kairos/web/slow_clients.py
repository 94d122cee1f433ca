"""A deadline for the request head (``KAIROS_REQUEST_HEADER_TIMEOUT_S``), which uvicorn does not have.

Uvicorn closes idle keep-alive connections, but a client that opens a connection and sends nothing, or half a
request line and then one byte a minute (slowloris), holds a file descriptor for as long as it likes; a few
thousand such clients exhaust the process's descriptors. Here every request head must be complete within the
timeout, counted from the connection's start or from the first byte of the next request on a kept-alive
connection; a connection that misses it is closed. Request bodies and long responses (the event stream) are
not affected: the deadline stops as soon as the head is parsed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("kairos.http")


class HeaderDeadline(asyncio.Protocol):
    """Mixin for a uvicorn HTTP protocol class; put it first in the bases (see :func:`header_timeout_protocol`)."""

    header_timeout_s: float = 10.0
    # Set by uvicorn's protocol classes (h11 and httptools alike): a new cycle means a new parsed request head.
    cycle: Any
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None
    _waiting_after: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._idle():
            self._start_deadline()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self._deadline is not None and self.cycle is not self._waiting_after:
            self._stop_deadline()  # the head is complete: the request is the application's now

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _idle(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _start_deadline(self) -> None:
        self._waiting_after = self.cycle
        self._deadline = asyncio.get_running_loop().call_later(self.header_timeout_s, self._expire)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.debug("closing a connection whose request head took over %.1f s", self.header_timeout_s)
            self.transport.close()


def header_timeout_protocol(timeout_s: float) -> type[asyncio.Protocol]:
    """Uvicorn's automatic HTTP protocol (httptools, else h11) with :class:`HeaderDeadline`, for ``http=``."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    return type("HeaderTimeoutProtocol", (HeaderDeadline, AutoHTTPProtocol), {"header_timeout_s": timeout_s})
