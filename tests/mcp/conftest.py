from tests.api.loopback import closed_port, target

__all__ = ["closed_port", "target"]

# TEMPORARY until the lead's harness creates its key with scopes
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Running


@pytest.fixture
async def kairos(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    from kairos.auth.apikeys import create_key
    from kairos.auth.scopes import Scope
    from tests.harness import make_settings, serving

    async with serving(make_settings(db_url, tmp_path)) as (app, port):
        url = f"http://127.0.0.1:{port}"
        runtime = app.state.runtime
        async with runtime.sessionmaker() as session:
            key = await create_key(session, "tests", scopes=frozenset({Scope.ADMIN}))
            await session.commit()
        headers = {"Authorization": f"Bearer {key.plaintext}"}
        async with (
            httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client,
            httpx.AsyncClient(base_url=url, timeout=30) as anon,
        ):
            yield Running(url, app, runtime, client, anon, key.plaintext)
    _ = contextlib
