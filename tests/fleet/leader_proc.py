"""A process that competes for fleet leadership (tests/fleet/test_leader.py): while it leads, its one singleton
job keeps the file ``<dir>/leader-<pid>``; a clean stop (SIGTERM) removes it, SIGKILL leaves it behind.

Usage: python -m tests.fleet.leader_proc DATABASE_URL DIR"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from kairos.db.engine import make_engine
from kairos.fleet.leader import Leader
from kairos.settings import load_settings


class Marker:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def start(self) -> None:
        self.path.write_text(str(os.getpid()))

    async def stop(self) -> None:
        self.path.unlink(missing_ok=True)


async def main(url: str, directory: Path) -> None:
    settings = load_settings(database_url=url, heartbeat_interval_s=0.5, worker_id=f"proc-{os.getpid()}")
    engine = make_engine(settings.effective_database_url)
    leader = Leader(engine, settings, [Marker(directory / f"leader-{os.getpid()}")])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    leader.start()
    (directory / f"ready-{os.getpid()}").touch()
    await stop.wait()
    await leader.stop()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
