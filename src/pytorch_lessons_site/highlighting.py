"""Syntax highlighting with Pygments: HTML for code blocks and the matching light/dark CSS."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text, Whitespace
from pygments.util import ClassNotFound

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
_ALIASES = {"ipython3": "ipython3", "python3": "python", "py": "python", "sh": "bash"}
#: What code sits on in each theme: the code block background (``--bg-code`` in style.css)
#: and the background of an emphasized line. Every token colour keeps
#: :data:`MIN_CONTRAST` against each of them (WCAG AA asks 4.5:1 for text; Pygments' own
#: "default" style has 4.43-4.5:1 comments and keywords on a light grey).
LIGHT_BACKGROUNDS = ("#f5f6f8", "#fff5c2")
DARK_BACKGROUNDS = ("#161b22", "#3b3417")
MIN_CONTRAST = 4.6
_COLOR = re.compile(r"(?<![-\w])color: #([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer:
    """The Pygments lexer for a MyST language name, plain text when unknown."""
    name = _ALIASES.get(lang.lower(), lang.lower())
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def highlight_code(code: str, lang: str | None, emphasize: list[int] | None = None) -> str:
    """Highlighted HTML (spans only, no wrapper) for ``code``; escaped text when no ``lang``."""
    if not lang:
        return html.escape(code, quote=False)
    formatter = HtmlFormatter(nowrap=True, hl_lines=emphasize or [])
    highlighted = pygments_highlight(code, _lexer(lang), formatter).rstrip("\n")
    return _plain_span().sub(r"\1", highlighted)


@lru_cache(maxsize=1)
def _plain_span() -> re.Pattern[str]:
    """A token ``<span>`` that changes nothing a reader sees: its class looks exactly like
    unhighlighted code in both styles (names, punctuation), or it holds only white space.
    Such spans were half of a code-heavy chapter's elements (3 000 on the MNIST page), and the
    browser lays out each of them."""
    styles = [get_style_by_name(name) for name in (LIGHT_STYLE, DARK_STYLE)]
    looks = ("bold", "italic", "underline", "bgcolor", "border")
    plain = []
    for token, css_class in STANDARD_TYPES.items():
        if not css_class:
            continue
        if token in Whitespace:  # its colour is invisible
            same = all(
                all(s.style_for_token(token)[k] == s.style_for_token(Text)[k] for k in looks)
                for s in styles
            )
        else:
            same = all(s.style_for_token(token) == s.style_for_token(Text) for s in styles)
        if same:
            plain.append(re.escape(css_class))
    classes = "|".join(sorted(plain))
    return re.compile(rf'<span class="(?:{classes})">([^<]*)</span>')


def pygments_css() -> str:
    """CSS for highlighted code: the light style, and the dark one for the dark theme.

    The dark rules apply on screen only, so that a page printed from the dark theme prints
    light (the print stylesheet makes the whole page light).
    """
    dark_rules = _token_rules(DARK_STYLE, ":root:not([data-theme='light']) .highlight")
    hll = LIGHT_BACKGROUNDS[1], DARK_BACKGROUNDS[1]
    return "\n".join(
        [
            f"/* Generated from the Pygments styles '{LIGHT_STYLE}' and '{DARK_STYLE}', every"
            f" colour at least {MIN_CONTRAST}:1 on the code background of its theme. */",
            f".highlight .hll {{ background-color: light-dark({hll[0]}, {hll[1]}) }}",
            _token_rules(LIGHT_STYLE, ".highlight"),
            "@media screen {",
            _token_rules(DARK_STYLE, ":root[data-theme='dark'] .highlight"),
            "}",
            "@media screen and (prefers-color-scheme: dark) {",
            dark_rules,
            "}",
        ]
    )


def _token_rules(style: str, prefix: str) -> str:
    """The per-token rules of a Pygments style under ``prefix``, colours made readable.

    Rules for ``pre``, line numbers, emphasized lines and the block background are left out:
    the site CSS gives code blocks their background so that they match the page theme.
    """
    css = HtmlFormatter(style=style).get_style_defs(prefix)
    backgrounds = DARK_BACKGROUNDS if style == DARK_STYLE else LIGHT_BACKGROUNDS
    rules = [
        _COLOR.sub(lambda m: "color: " + readable(m.group(1), backgrounds), line)
        for line in css.splitlines()
        if line.startswith(prefix + " .") and not line.startswith(prefix + " .hll")
    ]
    return "\n".join(rules)


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance."""
    channels = [c / 255 for c in rgb]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = _luminance(_rgb(foreground)), _luminance(_rgb(background))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def readable(color: str, backgrounds: tuple[str, ...], minimum: float = MIN_CONTRAST) -> str:
    """``color`` (``#rrggbb``), moved towards black on light backgrounds (white on dark) in
    small steps until it has ``minimum`` contrast on every background; unchanged if it has."""
    rgb = _rgb(color)
    dark_page = _luminance(_rgb(backgrounds[0])) < 0.2
    target = 255 if dark_page else 0
    for step in range(21):
        mixed = tuple(round(c + (target - c) * step / 20) for c in rgb)
        hex_color = "#{:02x}{:02x}{:02x}".format(*mixed)
        if all(contrast(hex_color, bg) >= minimum for bg in backgrounds):
            return hex_color if step else "#" + color.lower().lstrip("#")
    return "#ffffff" if dark_page else "#000000"
