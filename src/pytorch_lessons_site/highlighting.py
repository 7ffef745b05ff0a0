"""Syntax highlighting with Pygments: HTML for code blocks and the matching light/dark CSS."""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
_ALIASES = {"ipython3": "ipython3", "python3": "python", "py": "python", "sh": "bash"}


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
    return pygments_highlight(code, _lexer(lang), formatter).rstrip("\n")


def pygments_css() -> str:
    """CSS for highlighted code: the light style, and the dark one for the dark theme."""
    dark_rules = _token_rules(DARK_STYLE, ":root:not([data-theme='light']) .highlight")
    return "\n".join(
        [
            f"/* Generated from the Pygments styles '{LIGHT_STYLE}' and '{DARK_STYLE}'. */",
            _token_rules(LIGHT_STYLE, ".highlight"),
            _token_rules(DARK_STYLE, ":root[data-theme='dark'] .highlight"),
            "@media (prefers-color-scheme: dark) {",
            dark_rules,
            "}",
        ]
    )


def _token_rules(style: str, prefix: str) -> str:
    """The per-token rules of a Pygments style under ``prefix``.

    Rules for ``pre``, line numbers and the block background are left out: the site CSS
    gives code blocks their background so that they match the page theme.
    """
    css = HtmlFormatter(style=style).get_style_defs(prefix)
    rules = [line for line in css.splitlines() if line.startswith(prefix + " .")]
    return "\n".join(rules)
