"""Image sizes from file headers, for ``<img width height>``: the browser then reserves the
image's box before it loads, so the page does not jump while lazy images arrive."""

from __future__ import annotations

import re
import struct

_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_ATTR = r"""\b{name}\s*=\s*["']\s*([0-9.]+)\s*(px|pt|)\s*["']"""
_VIEWBOX = re.compile(r"""\bviewBox\s*=\s*["']\s*([-0-9.eE\s,]+)["']""")
_PT = 4 / 3  # CSS px per pt (matplotlib writes SVG sizes in pt)


def image_size(data: bytes | None) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of a PNG, GIF, JPEG, WebP or SVG file, else ``None``."""
    if not data:
        return None
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            return _positive(*struct.unpack(">II", data[16:24]))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _positive(*struct.unpack("<HH", data[6:10]))
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
    except struct.error:
        return None
    return _svg_size(data)


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The size in a JPEG's start-of-frame segment."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return _positive(width, height)
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size of a lossy, lossless or extended WebP."""
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _positive(width, height)
    return None


def _svg_size(data: bytes) -> tuple[int, int] | None:
    """An SVG's ``width``/``height`` (px or pt), else its ``viewBox`` size."""
    tag = _SVG_TAG.search(data[:4096])
    if tag is None:
        return None
    text = tag.group(0).decode("utf-8", errors="replace")
    sizes = []
    for name in ("width", "height"):
        found = re.search(_ATTR.format(name=name), text)
        if found:
            sizes.append(float(found.group(1)) * (_PT if found.group(2) == "pt" else 1))
    if len(sizes) == 2:
        return _positive(round(sizes[0]), round(sizes[1]))
    box = _VIEWBOX.search(text)
    if box:
        numbers = box.group(1).replace(",", " ").split()
        if len(numbers) == 4:
            try:
                return _positive(round(float(numbers[2])), round(float(numbers[3])))
            except ValueError:
                return None
    return None


def size_attrs(data: bytes | None, lazy: bool = True) -> str:
    """`` width=".." height=".."`` (when the size is known), `` loading="lazy"`` and
    `` decoding="async"``: the attributes every content image gets."""
    size = image_size(data)
    attrs = f' width="{size[0]}" height="{size[1]}"' if size else ""
    if lazy:
        attrs += ' loading="lazy"'
    return attrs + ' decoding="async"'
