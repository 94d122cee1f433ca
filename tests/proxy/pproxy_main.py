"""Runs pproxy (PyPI) as the tests' proxy server: ``python pproxy_main.py -l http://127.0.0.1:PORT …``.

pproxy picks uvloop when it is importable and then asks for an event loop the way Python 3.11's uvloop no
longer answers; it runs fine on the standard loop, so uvloop is hidden from it and a loop is set first."""

from __future__ import annotations

import asyncio
import sys

sys.modules["uvloop"] = None  # type: ignore[assignment]  # makes "import uvloop" fail inside pproxy
asyncio.set_event_loop(asyncio.new_event_loop())

from pproxy.server import main  # type: ignore[import-untyped]  # noqa: E402  # after the two lines above

if __name__ == "__main__":
    main()
