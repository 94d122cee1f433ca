"""Real proxies on loopback for these tests: pproxy (PyPI) run as a process, and its log to prove that a
connection went through it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.harness import wait_for
from tests.servers.ports import free_port
from tests.servers.registry import stop

MAIN = Path(__file__).with_name("pproxy_main.py")
USER, PASSWORD = "kairos", "s3cret-Proxy-pw"


@dataclass
class Pproxy:
    """One pproxy process with an HTTP and a SOCKS5 listener, both with or both without credentials."""

    http_port: int
    socks_port: int
    log: Path
    proc: subprocess.Popen[bytes]
    auth: bool

    def url(self, scheme: str, *, user: str = USER, password: str = PASSWORD) -> str:
        port = self.http_port if scheme == "http" else self.socks_port
        creds = f"{user}:{password}@" if self.auth else ""
        return f"{scheme}://{creds}127.0.0.1:{port}"

    def tunnels(self) -> list[str]:
        """The "from -> to" lines pproxy logged, one per connection it opened for a client."""
        return [line for line in self.log.read_text().splitlines() if " -> " in line]

    def tunnels_to(self, target: str) -> int:
        return sum(1 for line in self.tunnels() if line.endswith(f"-> {target}"))

    async def tunnels_reach(self, target: str, count: int) -> int:
        """The number of tunnels to ``target`` once it is at least ``count``: pproxy logs a tunnel just after
        answering the handshake, so the line may land a moment after the client went on."""
        return int(await wait_for(lambda: self.tunnels_to(target) >= count and self.tunnels_to(target), timeout=5))


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("pproxy exited at start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"pproxy not listening on {port}")


@contextlib.contextmanager
def pproxy(folder: Path, *, auth: bool = False) -> Iterator[Pproxy]:
    """Start pproxy (its "-b" block rule is no refusing proxy: it answers success, then hangs up)."""
    http_port, socks_port = free_port(), free_port()
    suffix = f"#{USER}:{PASSWORD}" if auth else ""
    log = folder / f"pproxy-{http_port}.log"
    args = ["-l", f"http://127.0.0.1:{http_port}{suffix}", "-l", f"socks5://127.0.0.1:{socks_port}{suffix}", "-v"]
    args += ["--auth", "0"]  # pproxy otherwise trusts an address for 30 days after one good password
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-u", str(MAIN), *args], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(http_port, proc)
        _wait_listening(socks_port, proc)
        yield Pproxy(http_port, socks_port, log, proc, auth)
    finally:
        stop(proc)
