"""How the tests, the benchmarks and the screenshot script start Debian's Chromium through Playwright."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("KAIROS_TEST_CHROMIUM", "/usr/bin/chromium")
# Headless on loopback: no sandbox (root in CI), and none of Chromium's own traffic to outside hosts.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
