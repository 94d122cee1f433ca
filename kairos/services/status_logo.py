"""Status page logos: which uploads are accepted, told by their bytes, not by what the client claims.

Only raster images: PNG, JPEG, GIF and WebP. SVG is refused on purpose: it is an XML document that may hold
script, and a logo is served from our own origin (docs/security.md)."""

from __future__ import annotations

from kairos.errors import Invalid

MAX_LOGO_BYTES = 256 * 1024


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` from its signature, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_logo(data: bytes, field: str = "logo") -> str:
    """The content type to store and serve ``data`` with; ``Invalid`` for anything but a small raster image."""
    if not data:
        raise Invalid("the logo is empty", field=field, code="logo_empty")
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid(f"the logo is larger than {MAX_LOGO_BYTES // 1024} KiB", field=field, code="logo_too_large")
    kind = sniff(data)
    if kind is None:
        raise Invalid(
            "the logo must be a PNG, JPEG, GIF or WebP image (SVG is not accepted)", field=field, code="logo_type"
        )
    return kind
