"""Browser contexts other than the ``pages`` fixture's desktop one: a phone's viewport, a dark or light
operating system, no JavaScript. Watched the same way: no request may leave the server, no console error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import Browser

from tests.browser.conftest import Pages
from tests.harness import Running

PHONE = {"width": 390, "height": 844}


@asynccontextmanager
async def watched(browser: Browser, kairos: Running, **options: Any) -> AsyncIterator[Pages]:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = await browser.new_context(**options)
    context.set_default_timeout(15_000)
    watcher = Pages(context, kairos)
    try:
        yield watcher
    finally:
        await context.close()
    assert watcher.foreign == [], f"requests left the server: {watcher.foreign}"
    assert watcher.console_errors == [], f"errors in the browser console: {watcher.console_errors}"
