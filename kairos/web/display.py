"""How pages show a moment and an availability: in the site's time zone with the zone named on every time, and
with the site's number of decimals. Stored data and the API stay UTC and full precision; only text for readers is
made here (the page scripts in static/js/kairos.js follow the same rules from the values ``page_display`` gives).
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta, tzinfo

from kairos.services.site import SiteSettings, zone_of

NONE = "\u2013"  # en dash: "no value"


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation where it has a real one (CET, CEST, EDT, UTC); else the offset (``UTC-03:00``):
    tz data spells zones without an abbreviation as a bare "-03", which reads like a typo next to a time."""
    name = moment.tzname() or ""
    if name[:1].isalpha():
        return name
    return "UTC" + _offset(moment.utcoffset())


def local_time(value: datetime | None, zone: tzinfo, seconds: bool = True) -> str:
    """``2026-03-29 14:05:00 CEST``: the wall time in ``zone`` and which zone it is."""
    if value is None:
        return NONE
    moment = value.astimezone(zone)
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {zone_label(moment)}"


def percent(value: float | None, decimals: int) -> str:
    """``99.95 %``. Anything short of 100 never reads as 100 (99.996 with two decimals is ``99.99 %``, not a
    perfect score it did not have); exactly 100 is ``100 %``."""
    if value is None:
        return NONE
    if value >= 100:
        return "100 %"
    text = f"{value:.{decimals}f}"
    if float(text) >= 100:
        text = "99." + "9" * decimals if decimals else "99"
    return f"{text} %"


@functools.lru_cache(maxsize=64)
def _abbreviations(name: str, day: int) -> dict[str, str]:
    """Offset -> abbreviation of the zone over about a year either side of ``day`` (days since the epoch): the
    browser knows the offsets of any moment but not the abbreviations tz data uses, so the page gets them."""
    zone = zone_of(name)
    middle = datetime.fromtimestamp(day * 86400, UTC)
    out: dict[str, str] = {}
    for step in range(-400, 401, 2):  # DST moves twice a year: two-day steps see every period
        moment = (middle + timedelta(days=step)).astimezone(zone)
        label = moment.tzname() or ""
        if label[:1].isalpha():
            out[_offset(moment.utcoffset())] = label
    return out


def page_display(site: SiteSettings, now: datetime) -> dict[str, str]:
    """What a page's scripts need to format times and percentages as the server does (a ``meta`` element's data)."""
    day = int(now.timestamp() // 86400)
    return {
        "zone": site.time_zone,
        "abbr": json.dumps(_abbreviations(site.time_zone, day), sort_keys=True),
        "decimals": str(site.availability_decimals),
    }
