#!/usr/bin/env python3
"""make_oci.py DIR: a handmade OCI layout with tag ``v1`` (linux/amd64) and tag ``multi`` (an index of
linux/amd64 and linux/arm64/v8). Stdlib only; the digests are the same on every run."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
from typing import Any

OCI = "application/vnd.oci.image."


def put(root: str, data: bytes | dict[str, Any]) -> dict[str, Any]:
    """Store a blob (bytes or a JSON-able object) and return its descriptor."""
    raw = data if isinstance(data, bytes) else json.dumps(data, sort_keys=True).encode()
    d = hashlib.sha256(raw).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(raw)
    return {"digest": "sha256:" + d, "size": len(raw)}


def image(root: str, arch: str, text: bytes, variant: str | None = None) -> dict[str, Any]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        ti = tarfile.TarInfo("hello.txt")
        ti.size, ti.mode, ti.mtime = len(text), 0o644, 0
        tf.addfile(ti, io.BytesIO(text))
    tar, when = raw.getvalue(), "2024-01-01T00:00:00Z"
    layer = put(root, gzip.compress(tar, mtime=0))
    platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
    cfg = put(
        root,
        {
            "created": when,
            **platform,
            "config": {"Cmd": ["/hello"], "Env": ["PATH=/usr/bin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
            "history": [{"created": when, "created_by": "make_oci.py"}],
        },
    )
    m = put(
        root,
        {
            "schemaVersion": 2,
            "mediaType": OCI + "manifest.v1+json",
            "config": {"mediaType": OCI + "config.v1+json", **cfg},
            "layers": [{"mediaType": OCI + "layer.v1.tar+gzip", **layer}],
        },
    )
    return {"mediaType": OCI + "manifest.v1+json", **m, "platform": platform}


def main(root: str) -> None:
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    v1 = image(root, "amd64", b"hello from v1\n")
    v1.pop("platform")
    children = [image(root, "amd64", b"hello amd64\n"), image(root, "arm64", b"hello arm64\n", "v8")]
    idx = put(root, {"schemaVersion": 2, "mediaType": OCI + "index.v1+json", "manifests": children})

    def ref(name: str) -> dict[str, Any]:
        return {"annotations": {"org.opencontainers.image.ref.name": name}}

    with open(os.path.join(root, "index.json"), "w") as f:
        manifests = [{**v1, **ref("v1")}, {"mediaType": OCI + "index.v1+json", **idx, **ref("multi")}]
        json.dump({"schemaVersion": 2, "mediaType": OCI + "index.v1+json", "manifests": manifests}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "oci")
