#!/usr/bin/env python3
"""Regenerates the screenshots in docs/img/ from a real Kairos with demo data.

Seeds 30 days of history for a few resources pointed at loopback targets of its own (one of them failing),
starts `kairos serve` on a free port, and photographs the pages in headless Chromium (Debian's, through
Playwright). Nothing leaves 127.0.0.1.

    scripts/screenshots            # or: .venv/bin/python scripts/screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import (
    Announcement,
    GroupMember,
    Outage,
    Resource,
    ResourceGroup,
    ResultBlock,
    Rollup1d,
    Rollup15m,
)
from kairos.history.writer import block_row, blocks_of
from kairos.probes.base import Phases, ProbeResult, Status
from kairos.rollups.buckets import FIFTEEN_MIN, ONE_DAY, deltas_for
from kairos.services.announcement_html import render_content
from tests.servers.chromium import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "screenshots-only-1"


class _Target(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        code = 503 if self.path.startswith("/fail") else 200
        body = b"ok" if code == 200 else b"unavailable"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accept_and_close(server: socket.socket) -> None:
    while True:
        server.accept()[0].close()


def start_targets() -> tuple[int, int]:
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(64)
    threading.Thread(target=_accept_and_close, args=(tcp,), daemon=True).start()
    return http.server_address[1], tcp.getsockname()[1]


def synthetic(now: datetime, days: int, rng: random.Random, fail_rate: float, base_ms: float) -> list[ProbeResult]:
    """One result a minute: latency with a daily wave, failures in short bursts."""
    out, burst = [], 0
    for k in range(days * 1440, 0, -1):
        at = now - timedelta(minutes=k)
        wave = 1 + 0.35 * math.sin(at.hour / 24 * 2 * math.pi)
        if burst == 0 and rng.random() < fail_rate:
            burst = rng.randint(2, 20)
        if burst:
            burst -= 1
            out.append(
                ProbeResult(
                    Status.NOT_AVAILABLE,
                    "HTTP 503 Service Unavailable",
                    "http_status",
                    Phases(total_ms=base_ms * 0.4),
                    503,
                    {},
                    at,
                )
            )
            continue
        total = base_ms * wave * rng.uniform(0.85, 1.25)
        phases = Phases(dns_ms=1.5 * wave, connect_ms=4 * wave, tls_ms=9 * wave, ttfb_ms=total * 0.6, total_ms=total)
        out.append(ProbeResult(Status.AVAILABLE, "HTTP 200 OK", None, phases, 200, {}, at))
    return out


def seed(url: str, http_port: int, tcp_port: int) -> None:
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    rng, now = random.Random(4), datetime.now(UTC)
    web = f"http://127.0.0.1:{http_port}"
    groups = [("Website", "PUBLIC"), ("Infrastructure", "PUBLIC"), ("Internal tools", "AUTHENTICATED")]
    resources = [  # name, kind, target, group index or None, failure rate, latency
        ("Homepage", "HTTP", f"{web}/", 0, 0.0004, 45.0),
        ("Checkout API", "HTTP", f"{web}/api/health", 0, 0.001, 80.0),
        ("Search", "HTTP", f"{web}/fail", 0, 0.002, 120.0),
        ("PostgreSQL primary", "TCP", f"127.0.0.1:{tcp_port}", 1, 0.0002, 2.0),
        ("Message queue", "TCP", f"127.0.0.1:{tcp_port}", 1, 0.0008, 3.0),
        ("Grafana", "HTTP", f"{web}/grafana", 2, 0.0005, 60.0),
        ("Status mirror", "HTTP", f"{web}/mirror", None, 0.0003, 35.0),
    ]
    with Session(engine) as session:
        group_rows = [ResourceGroup(name=n, visibility=v, display_order=i) for i, (n, v) in enumerate(groups)]
        session.add_all(group_rows)
        session.flush()
        for i, (name, kind, target, gi, fail_rate, base) in enumerate(resources):
            row = Resource(name=name, kind=kind, target=target, config={}, display_order=i)
            session.add(row)
            session.flush()
            if gi is not None:
                session.add(GroupMember(group_id=group_rows[gi].id, resource_id=row.id, display_order=i))
            _history(session, row.id, synthetic(now, 30, rng, fail_rate, base), now)
        search = session.query(Resource).filter_by(name="Search").one()
        session.add(
            Outage(
                resource_id=search.id,
                started_at=now - timedelta(hours=26),
                ended_at=now - timedelta(hours=25),
                error_code="http_status",
                message="HTTP 503 Service Unavailable",
            )
        )
        text = (
            "Planned maintenance of the **Checkout API** on Sunday, 02:00 to 03:00 UTC. "
            "Orders placed meanwhile are queued."
        )
        session.add(
            Announcement(kind="WARNING", content=text, content_html=render_content(text), created_by="ops@example.com")
        )
        session.commit()


def _history(session: Session, rid: int, results: list[ProbeResult], now: datetime) -> None:
    recent = [r for r in results if r.checked_at > now - timedelta(days=2)]  # raw results: the last two days
    blocks = blocks_of(rid, recent)
    session.execute(insert(ResultBlock), [block_row(r, bucket, b) for (r, bucket), b in blocks.items()])
    items = [(rid, r) for r in results]
    for model, size in ((Rollup15m, FIFTEEN_MIN), (Rollup1d, ONE_DAY)):
        session.execute(insert(model), [d.as_row(r, b) for (r, b), d in deltas_for(items, size).items()])


def serve(data_dir: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KAIROS_DATA_DIR": str(data_dir),
        "KAIROS_DATABASE_URL": url,
        "KAIROS_HOST": "127.0.0.1",
        "KAIROS_PORT": str(port),
        "KAIROS_LOG_LEVEL": "warning",
    }
    proc = subprocess.Popen([sys.executable, "-m", "kairos.cli.main", "serve"], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("kairos serve did not start")


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", "admin@kairos.local")
    page.fill("#password", "admin")
    page.click("main button[type=submit]")
    page.fill("#current", "admin")
    page.fill("#new", PASSWORD)
    page.fill("#again", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin?changed=1")


def shoot(base: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        # The pages follow the system's theme until one is picked: a dark system, then a light one.
        page = browser.new_page(viewport={"width": 1280, "height": 860}, color_scheme="dark")
        page.goto(base + "/")
        page.wait_for_selector(".dash-board")
        page.wait_for_timeout(1500)  # the first checks of the live targets land
        page.screenshot(path=str(out / "dashboard-dark.png"))
        page.emulate_media(color_scheme="light")
        page.screenshot(path=str(out / "dashboard-light.png"))
        page.emulate_media(color_scheme="dark")
        page.click('.dash-views [data-view="heartbeat"]')  # each resource's last checks, one mark each
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / "dashboard-heartbeat.png"))
        page.click('.dash-views [data-view="timeline"]')
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, color_scheme="dark")
        phone.goto(base + "/")
        phone.wait_for_timeout(800)
        phone.screenshot(path=str(out / "dashboard-phone.png"))
        page.goto(base + "/resources/2")
        page.wait_for_selector("svg")
        page.wait_for_timeout(800)
        page.screenshot(path=str(out / "resource.png"))
        page.goto(base + "/outages")
        page.screenshot(path=str(out / "outages.png"))
        sign_in(page, base)
        for path, name in (
            ("/admin/resources", "console-resources"),
            ("/admin/groups", "console-groups"),
            ("/admin/announcements/1/edit", "announcement-editor"),
            ("/admin/instant-check", "instant-check"),
        ):
            page.goto(base + path)
            page.wait_for_timeout(600)
            page.screenshot(path=str(out / f"{name}.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    http_port, tcp_port = start_targets()
    with tempfile.TemporaryDirectory(prefix="kairos-shots-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/kairos.db"
        seed(url, http_port, tcp_port)
        port = free_port()
        proc = serve(Path(tmp), url, port)
        try:
            shoot(f"http://127.0.0.1:{port}", args.out)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"screenshots written to {args.out}")


if __name__ == "__main__":
    main()
