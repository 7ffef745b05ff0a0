"""Terminal text (tracebacks, progress bars) to HTML: ANSI colours become spans, ``\\r`` rewinds."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

_ESCAPE = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")
_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def collapse_carriage_returns(text: str) -> str:
    """Keep what a terminal would show: on each line, only the text after the last ``\\r``.

    Progress bars (tqdm) redraw themselves with ``\\r``; a stored output holds every frame.
    """
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            frames = [frame for frame in line.split("\r") if frame]
            line = frames[-1] if frames else ""
        lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class _Style:
    """The SGR state in force. Colours are ``ansi-<name>`` classes or ``rgb(...)`` values."""

    fg: str | None = None
    bg: str | None = None
    bold: bool = False
    underline: bool = False

    def span_open(self) -> str:
        """The ``<span ...>`` for this state, or ``""`` for the default state."""
        classes = ["ansi-bold"] if self.bold else []
        classes += ["ansi-underline"] if self.underline else []
        styles = []
        for colour, prefix, prop in (
            (self.fg, "ansi-", "color"),
            (self.bg, "ansi-bg-", "background"),
        ):
            if colour and colour.startswith("rgb"):
                styles.append(f"{prop}:{colour}")
            elif colour:
                classes.append(prefix + colour)
        if not classes and not styles:
            return ""
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        attrs += f' style="{";".join(styles)}"' if styles else ""
        return f"<span{attrs}>"


def _named(code: int, base: int) -> str:
    """``31`` -> ``red``, ``91`` -> ``bright-red`` (``base`` is 30 or 40)."""
    bright = "bright-" if code >= base + 60 else ""
    return bright + _NAMES[code % 10]


def _apply_codes(codes: list[int], style: _Style) -> _Style:
    """Return the style after the SGR codes ``codes`` (``0`` resets, ``39``/``49`` reset colours)."""
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            style = _Style()
        elif code in (1, 22):
            style = replace(style, bold=code == 1)
        elif code in (4, 24):
            style = replace(style, underline=code == 4)
        elif 30 <= code <= 37 or 90 <= code <= 97:
            style = replace(style, fg=_named(code, 30))
        elif 40 <= code <= 47 or 100 <= code <= 107:
            style = replace(style, bg=_named(code, 40))
        elif code == 39:
            style = replace(style, fg=None)
        elif code == 49:
            style = replace(style, bg=None)
        elif code in (38, 48) and i + 1 < len(codes):
            colour, used = _extended_colour(codes[i + 1 :])
            style = replace(style, fg=colour) if code == 38 else replace(style, bg=colour)
            i += used
        i += 1
    return style


def _extended_colour(rest: list[int]) -> tuple[str | None, int]:
    """Parse ``5;n`` (256 colours) or ``2;r;g;b``: (colour name or ``rgb()``, codes used)."""
    if rest[0] == 5 and len(rest) >= 2:
        n = rest[1]
        if n < 16:
            return ("bright-" if n >= 8 else "") + _NAMES[n % 8], 2
        if n >= 232:
            level = 8 + (n - 232) * 10
            return f"rgb({level},{level},{level})", 2
        n -= 16
        r, g, b = (n // 36, (n // 6) % 6, n % 6)
        scale = [0, 95, 135, 175, 215, 255]
        return f"rgb({scale[r]},{scale[g]},{scale[b]})", 2
    if rest[0] == 2 and len(rest) >= 4:
        return f"rgb({rest[1]},{rest[2]},{rest[3]})", 4
    return None, 1


def ansi_to_html(text: str) -> str:
    """Escape ``text`` for HTML, turning ANSI colour codes into ``<span class="ansi-...">``."""
    text = collapse_carriage_returns(text)
    out: list[str] = []
    style = _Style()
    position = 0
    for match in _ESCAPE.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        position = match.end()
        if match.group(2) != "m":
            continue  # cursor movement and the like: drop
        if style.span_open():
            out.append("</span>")
        codes = [int(c) if c else 0 for c in match.group(1).split(";")]
        style = _apply_codes(codes, style)
        out.append(style.span_open())
    out.append(html.escape(text[position:], quote=False))
    if style.span_open():
        out.append("</span>")
    return "".join(out)
