"""The quorum verdict: one status for a resource from the latest result of each of its live locations.

A policy says how many voting locations must see the resource available: ``any`` (one), ``majority`` (more than
half), ``all``, or a number k (capped at the number of voters, so that a location going down never turns a
resource red by arithmetic alone). A location votes with its latest result while it is live and that result is
fresh; UNKNOWN (Kairos itself failed there) does not vote. No vote at all gives UNKNOWN.

A live location that has not reported the resource yet (a new resource's first seconds, a location that just
joined) is *pending*: it counts among the voters, and the verdict is given only once the pending votes can no
longer change it; until then it is UNKNOWN. So the first location to report never decides alone."""

from __future__ import annotations

from collections.abc import Iterable

from kairos.probes.base import Status

POLICIES = ("any", "majority", "all")
DEFAULT_POLICY = "majority"
MAX_K = 64


def check_policy(value: str) -> str:
    """The canonical spelling of a policy, or ValueError saying what is allowed."""
    v = value.strip().lower()
    if v in POLICIES:
        return v
    if v.isdigit() and 1 <= int(v) <= MAX_K:
        return str(int(v))
    raise ValueError(f"quorum must be any, majority, all or a number from 1 to {MAX_K}")


def required(policy: str, voters: int) -> int:
    """How many of ``voters`` locations must see the resource available."""
    if voters <= 0:
        return 0
    if policy == "any":
        return 1
    if policy == "all":
        return voters
    if policy == "majority":
        return voters // 2 + 1
    return min(int(policy), voters)


def verdict(policy: str, votes: Iterable[Status], pending: int = 0) -> Status:
    up = down = 0
    for status in votes:
        if status is Status.AVAILABLE:
            up += 1
        elif status is Status.NOT_AVAILABLE:
            down += 1
    if up + down == 0:
        return Status.UNKNOWN
    voters = up + down + pending
    needed = required(policy, voters)
    if up >= needed:
        return Status.AVAILABLE
    if down > voters - needed:  # even if every pending vote were "available", too few would be
        return Status.NOT_AVAILABLE
    return Status.UNKNOWN
