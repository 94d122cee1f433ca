"""A registry of discovery's own, filled once per session:

team/app:{v1,v2,rc1}, team/tool:v1, team/a/b/deep:v1, other/x:v1 and gone/app:{keep,temp} (the one test that
deletes a tag works under gone/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.registry import Registry, push, token_registry

PUSHES = [
    ("v1", "team/app:v1", False),
    ("multi", "team/app:v2", True),
    ("v1", "team/app:rc1", False),
    ("v1", "team/tool:v1", False),
    ("v1", "team/a/b/deep:v1", False),
    ("v1", "other/x:v1", False),
    ("v1", "gone/app:keep", False),
    ("multi", "gone/app:temp", True),
]


@pytest.fixture(scope="session")
def discovery_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    r = Registry(tmp_path_factory.mktemp("disc-reg"))
    try:
        for ref, dest, all_ in PUSHES:
            push(oci_dir, ref, f"{r.host}/{dest}", all_=all_)
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="session")
def discovery_token_registry(tmp_path_factory: pytest.TempPathFactory, oci_dir: str) -> Iterator[Registry]:
    """Token auth (our token server): alice may do anything, anonymous callers may only pull public/…."""
    with token_registry(tmp_path_factory.mktemp("disc-tok")) as (r, _port):
        push(oci_dir, "v1", f"{r.host}/private/x/y:v1", creds="alice:s3cret")
        push(oci_dir, "v1", f"{r.host}/private/app:v1", creds="alice:s3cret")
        yield r
