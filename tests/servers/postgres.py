"""A throwaway PostgreSQL cluster of the test's own, which can be stopped and started again."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

from tests.servers.ports import free_port

SERVERS = os.path.dirname(__file__)


def pg_bin() -> str | None:
    found = glob.glob("/usr/lib/postgresql/*/bin")
    return max(found, key=lambda p: int(p.split("/")[-2])) if found else None


class Cluster:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="kairos-pg-")  # not under pytest's 0700 temp dir: postgres can't enter
        self.port = free_port()
        out = subprocess.run(
            ["sh", os.path.join(SERVERS, "pg_start.sh"), self.dir, str(self.port)],
            check=True,
            capture_output=True,
            text=True,
        )
        self.admin_url = out.stdout.strip()
        self.url = self.admin_url.rsplit("/", 1)[0] + "/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{pg_bin()}/pg_ctl", "-D", f"{self.dir}/data", *args],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")  # a clean restart; "immediate" loses commits with fsync off

    def start(self) -> None:
        self._ctl(
            "-l",
            f"{self.dir}/log",
            "-w",
            "-t",
            "30",
            "start",
            "-o",
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        )

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
