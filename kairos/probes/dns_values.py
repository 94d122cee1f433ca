"""How DNS answers and expected values are compared: both sides are brought to one text form per record type.

Names are compared without case and without the trailing dot; addresses as addresses (``2001:DB8:0::1`` is
``2001:db8::1``); TXT as the record's strings joined (SPF and DKIM split long values) and compared exactly;
MX as ``preference exchange``, SRV as ``priority weight port target``, SOA as its seven fields, CAA as
``flags tag value`` with the value unquoted. For MX, SRV and SOA an expected value of one name matches the
record's exchange, target or primary server alone, and a CAA value may leave out the flags: what people write
when they only care about where mail or a service goes."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA")
# Fields (after the name-like ones) that hold numbers, per type with more than one field.
_FIELDS = {"MX": ("n", "name"), "SRV": ("n", "n", "n", "name"), "SOA": ("name", "name", "n", "n", "n", "n", "n")}
_LABEL = re.compile(r"^(?!-)[a-z0-9_*-]{1,63}(?<!-)$")


def normalise_name(text: str) -> str:
    """``Mail.Example.COM.`` → ``mail.example.com``; the root is ``.``. Raises ``ValueError`` when not a name."""
    stripped = text.strip()
    if stripped == ".":
        return "."
    try:
        name = stripped.encode("idna").decode("ascii").lower().rstrip(".") if stripped else ""
    except UnicodeError:
        raise ValueError(f"'{stripped[:60]}' is not a valid DNS name") from None
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise ValueError(f"'{stripped[:60]}' is not a valid DNS name")
    return name


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _fields(kind: str, text: str) -> str:
    """MX/SRV/SOA: every field (numbers as numbers, names normalised) or the one name alone."""
    parts = text.split()
    shape = _FIELDS[kind]
    if len(parts) == 1:
        return normalise_name(parts[0])
    if len(parts) != len(shape):
        raise ValueError(f"a {kind} value is '{' '.join(_shape_words(kind))}' or just the name")
    out = []
    for part, what in zip(parts, shape, strict=True):
        if what == "n":
            if not part.isdigit():
                raise ValueError(f"'{part[:20]}' in a {kind} value is not a number")
            out.append(str(int(part)))
        else:
            out.append(normalise_name(part))
    return " ".join(out)


def _shape_words(kind: str) -> tuple[str, ...]:
    return {
        "MX": ("preference", "exchange"),
        "SRV": ("priority", "weight", "port", "target"),
        "SOA": ("mname", "rname", "serial", "refresh", "retry", "expire", "minimum"),
    }[kind]


def _caa(text: str) -> str:
    parts = text.strip().split(None, 2)
    if len(parts) == 3 and parts[0].isdigit():
        return f"{int(parts[0])} {parts[1].lower()} {_unquote(parts[2])}"
    parts = text.strip().split(None, 1)
    if len(parts) != 2:
        raise ValueError("a CAA value is 'flags tag value' or 'tag value', e.g. 0 issue letsencrypt.org")
    return f"{parts[0].lower()} {_unquote(parts[1])}"


def normalise_expected(kind: str, text: str) -> str:
    """One expected value in the form answers take; raises ``ValueError`` saying what the type expects."""
    text = text.strip()
    if not text:
        raise ValueError("an expected value is empty")
    if kind == "A":
        return _address(text, ipaddress.IPv4Address, "an IPv4 address")
    if kind == "AAAA":
        return _address(text, ipaddress.IPv6Address, "an IPv6 address")
    if kind in ("CNAME", "NS"):
        return normalise_name(text)
    if kind in _FIELDS:
        return _fields(kind, text)
    if kind == "CAA":
        return _caa(text)
    return _unquote(text)  # TXT: exact, as written (surrounding quotes optional)


def _address(text: str, cls: Any, what: str) -> str:
    try:
        return str(cls(text))
    except ValueError:
        raise ValueError(f"'{text[:60]}' is not {what}") from None


def answer_forms(kind: str, rdata: Any) -> tuple[str, ...]:
    """The forms one answer record matches: its full text first (what results show), then the shorter ones."""
    if kind in ("A", "AAAA"):
        return (str(ipaddress.ip_address(rdata.address)),)
    if kind in ("CNAME", "NS"):
        return (_name(rdata.target),)
    if kind == "MX":
        return (f"{rdata.preference} {_name(rdata.exchange)}", _name(rdata.exchange))
    if kind == "SRV":
        target = _name(rdata.target)
        return (f"{rdata.priority} {rdata.weight} {rdata.port} {target}", target)
    if kind == "SOA":
        mname = _name(rdata.mname)
        numbers = f"{rdata.serial} {rdata.refresh} {rdata.retry} {rdata.expire} {rdata.minimum}"
        return (f"{mname} {_name(rdata.rname)} {numbers}", mname)
    if kind == "CAA":
        tag, value = rdata.tag.decode("ascii", "replace").lower(), rdata.value.decode("utf-8", "replace")
        return (f"{rdata.flags} {tag} {value}", f"{tag} {value}")
    return (b"".join(rdata.strings).decode("utf-8", "replace"),)  # TXT


def _name(name: Any) -> str:
    return str(name.to_text(omit_final_dot=True)).lower() or "."


def matches(expected: list[str], answers: list[tuple[str, ...]], mode: str) -> bool:
    """``any``: at least one expected value is among the answers; ``all``: every one is (more answers are fine)."""
    seen = {form for forms in answers for form in forms}
    hits = [value in seen for value in expected]
    return all(hits) if mode == "all" else any(hits)


def shorten(values: list[str], limit: int = 240) -> str:
    """``[a, b, c]`` cut to about ``limit`` characters, saying how many were left out."""
    shown: list[str] = []
    used = 0
    for value in values:
        item = value if len(value) <= 80 else value[:77] + "..."
        if used + len(item) > limit and shown:
            return "[" + ", ".join(shown) + f", … {len(values) - len(shown)} more]"
        shown.append(item)
        used += len(item) + 2
    return "[" + ", ".join(shown) + "]"
