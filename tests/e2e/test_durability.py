"""The durability promise (docs/sizing.md), proved on the real process: ``kairos serve`` checking a loopback
target is killed with SIGKILL under load, started again, then stopped with SIGTERM.

- kill -9 loses at most the results of the last flush interval (plus checks in flight);
- nothing is doubled, and a restart takes the journal back (no result recorded before the kill is lost later);
- SIGTERM loses nothing but the checks cancelled in flight."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine, insert

from kairos.db.engine import sync_url
from kairos.db.migrate import upgrade_to_head
from kairos.db.models import Resource
from kairos.history.codec import StoredResult
from tests.dbs import stored_results
from tests.e2e.conftest import start_serve

RESOURCES = 20
FLUSH_S = 1.0


class Hits:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []  # wall-clock time each answer was sent

    def count_before(self, t: float) -> int:
        with self.lock:
            return sum(1 for x in self.times if x < t)


@pytest.fixture
def target() -> Iterator[tuple[str, Hits]]:
    hits = Hits()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            with hits.lock:
                hits.times.append(time.time())

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def _seed(url: str, base: str) -> None:
    upgrade_to_head(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            insert(Resource),
            [
                {"name": f"d{i}", "kind": "HTTP", "target": f"{base}/r/{i}", "config": {}, "interval_s": 1}
                for i in range(RESOURCES)
            ],
        )
    engine.dispose()


def _assert_no_doubles(results: list[StoredResult]) -> None:
    keys = [(r.resource_id, r.id) for r in results]
    assert len(keys) == len(set(keys))


def test_kill_9_loses_at_most_one_flush_and_sigterm_loses_nothing(
    serve_env: dict[str, str], db_url: str, target: tuple[str, Hits]
) -> None:
    base, hits = target
    _seed(db_url, base)
    env = {**serve_env, "KAIROS_FLUSH_INTERVAL_S": str(FLUSH_S), "KAIROS_ALLOWED_HOSTS": "127.0.0.1,localhost"}

    proc = start_serve(env)
    time.sleep(6)
    proc.send_signal(signal.SIGKILL)
    killed_at = time.time()
    proc.wait(10)
    answered = len(hits.times)
    after_kill = stored_results(db_url)
    _assert_no_doubles(after_kill)
    assert answered > RESOURCES * 3  # it was under load
    # Everything answered before the last flush interval (and a second for the check to complete) is stored.
    settled = hits.count_before(killed_at - FLUSH_S - 1.0)
    assert settled <= len(after_kill) <= answered, (settled, len(after_kill), answered)

    proc = start_serve(env)
    time.sleep(4)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean stop
    answered_total = len(hits.times)
    after_stop = stored_results(db_url)
    _assert_no_doubles(after_stop)
    before = {(r.resource_id, r.id) for r in after_kill}
    assert before <= {(r.resource_id, r.id) for r in after_stop}  # the restart lost nothing recorded before
    # SIGTERM: every answered check is stored, except at most one cancelled in flight per resource.
    lost = answered_total - len(after_stop)
    assert 0 <= lost - (answered - len(after_kill)) <= RESOURCES, (answered_total, len(after_stop), answered)
    assert datetime.now(UTC) > max(r.checked_at for r in after_stop)
