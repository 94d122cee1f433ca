#!/usr/bin/env python3
"""Image checks in steady state on a local token-auth registry, against `skopeo inspect` of the same images.

Starts Debian's docker-registry with token auth and our test token server, pushes N images with skopeo,
then checks every image twice with a shared token cache (the second round is the steady state) and prints
HTTP requests per check and p50/p95 latency, manifest-only and full, and skopeo's latency as a ratio.
Needs docker-registry and skopeo (scripts/test installs them). Asserts nothing.

    .venv/bin/python bench/images.py [--images 200] [--skopeo 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kairos.probes.base import ProbeContext  # noqa: E402
from kairos.probes.image import ImageConfig, probe  # noqa: E402
from kairos.registry.auth import TokenCache  # noqa: E402
from tests.servers.registry import push, token_registry  # noqa: E402

PARALLELISM = 2  # the DOCKER default


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def round_of_checks(refs: list[str], config: ImageConfig, cache: TokenCache) -> tuple[list[float], list[int]]:
    sem = asyncio.Semaphore(PARALLELISM)
    latencies: list[float] = []
    requests: list[int] = []

    async def one(ref: str) -> None:
        async with sem:
            result = await probe(config, ProbeContext(ref, 30, extra={"token_cache": cache}))
            assert result.status.value == "AVAILABLE", result.message
            latencies.append(result.phases.total_ms or 0.0)
            requests.append(int(result.details["requests"]))

    await asyncio.gather(*(one(r) for r in refs))
    return latencies, requests


def skopeo_times(refs: list[str]) -> list[float]:
    out = []
    for ref in refs:
        t = time.perf_counter()
        subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{ref}"], check=True, capture_output=True)
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, latencies: list[float], requests: list[int]) -> None:
    print(
        f"{name:<36} requests/check {statistics.mean(requests):4.2f}   latency p50 {pct(latencies, 0.5):6.1f} ms"
        f"   p95 {pct(latencies, 0.95):6.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--skopeo", type=int, default=20, help="how many of the images skopeo inspects")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kairos-bench-images-"))
    subprocess.run([sys.executable, str(ROOT / "tests/servers/make_oci.py"), str(work / "oci")], check=True)
    with token_registry(work) as (registry, _port):
        refs = [f"{registry.host}/public/bench{i}:v1" for i in range(args.images)]
        t = time.perf_counter()
        for ref in refs:
            push(str(work / "oci"), "v1", ref, creds="alice:s3cret")
        print(f"{args.images} images pushed in {time.perf_counter() - t:.1f} s; parallelism {PARALLELISM}")
        for name, config in (
            ("manifest only", ImageConfig(manifestOnly=True, insecureHttp=True)),
            ("full (config + layers)", ImageConfig(insecureHttp=True)),
        ):
            cache = TokenCache()
            cold = asyncio.run(round_of_checks(refs, config, cache))
            steady = asyncio.run(round_of_checks(refs, config, cache))
            report(f"{name}, first round", *cold)
            report(f"{name}, steady state", *steady)
        full_p50 = pct(steady[0], 0.5)
        sk = skopeo_times(refs[: args.skopeo])
        print(
            f"{'skopeo inspect':<36} latency p50 {pct(sk, 0.5):6.1f} ms   p95 {pct(sk, 0.95):6.1f} ms   "
            f"(full check is {pct(sk, 0.5) / max(full_p50, 0.001):.0f}x faster at p50)"
        )


if __name__ == "__main__":
    main()
