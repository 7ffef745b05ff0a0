"""Readable plain text of MyST nodes, math included: for the search index and page descriptions.

A search snippet or a ``<meta name="description">`` cannot show KaTeX, and raw TeX
(``\\frac{\\partial L}{\\partial w}``) is unreadable there. :func:`math_text` turns an
equation into a one-line rendition such as ``∂L/∂w`` or ``θ₁² + 10 θ₂²``, read from the MathML
that KaTeX wrote next to its HTML (KaTeX has parsed the TeX already), with a rough clean-up of the
TeX source as the fallback when there is no MathML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

Node = dict[str, Any]

_SUPERSCRIPT = dict(zip("0123456789+-−=()niT⊤′″*", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀᵀ′″*", strict=True))
_SUBSCRIPT = dict(
    zip("0123456789+-−=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
# accents KaTeX writes as <mover>: the combining character that puts them on one letter
_ACCENTS = {
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "ˉ": "\u0304",
    "¯": "\u0304",
    "‾": "\u0304",
    "˙": "\u0307",
    "¨": "\u0308",
    "→": "\u20d7",
    "⃗": "\u20d7",
}
_BRACES = set("⏟⏞︸︷")
_RELATIONS = set("=<>≤≥≪≫≈≠≡∼∝→←⇒⇔↦∈∉⊂⊆")
# function application (after log, max, ...) reads as a space; the other invisibles as nothing
_INVISIBLE = {0x2061: " ", **dict.fromkeys(map(ord, "\u2062\u2063\u2064\u200b"), None)}
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u2002\u2003]+")


@dataclass
class _Element:
    tag: str
    children: list[_Element | str] = field(default_factory=list)


class _MathMLTree(HTMLParser):
    """The first ``<math>`` element of some HTML as a tree (annotations left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.math: _Element | None = None
        self._stack: list[_Element] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or tag.startswith("annotation"):
            self._skip += 1
            return
        if not self._stack and (tag != "math" or self.math is not None):
            return
        element = _Element(tag)
        if self._stack:
            self._stack[-1].children.append(element)
        else:
            self.math = element
        self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
            return
        while self._stack:
            if self._stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and not self._skip:
            self._stack[-1].children.append(data)


def _wrap(text: str) -> str:
    """``text`` bracketed when it is more than one word, so ``a/b`` and ``x^k`` stay clear."""
    text = text.strip()
    return text if _WORD.fullmatch(text) or len(text) <= 1 else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """A sub- or superscript: Unicode script letters when all have one, else ``_x``/``^(x)``."""
    text = text.strip()
    packed = text.replace(" ", "")
    if packed and all(char in table for char in packed):
        return "".join(table[char] for char in packed)
    return f"{mark}{_wrap(text)}" if text else ""


def _mathml(node: _Element | str) -> str:
    """One MathML element as text."""
    if isinstance(node, str):
        return node
    parts = [_mathml(child) for child in node.children]
    tag = node.tag
    if tag == "mphantom":
        return ""
    if tag == "mspace":
        return " "
    if tag == "mo":
        text = "".join(parts).translate(_INVISIBLE)
        return f" {text} " if text.strip() in _RELATIONS else text
    if tag == "mfrac" and len(parts) == 2:
        top, bottom = _wrap(parts[0]), _wrap(parts[1])
        if top.startswith("(") or bottom.startswith("("):
            return f"{top}/{bottom}"
        return f"({top}/{bottom})"  # 1/2 x reads as (1/2)x, not 1/(2x)
    if tag == "msqrt":
        return f"√{_wrap(''.join(parts))}"
    if tag == "mroot" and len(parts) == 2:
        return f"{_script(parts[1], _SUPERSCRIPT, '^')}√{_wrap(parts[0])}"
    if tag in ("msup", "msub", "msubsup", "mover", "munder", "munderover") and parts:
        return _scripts(tag, parts)
    if tag == "mtr":
        return " ".join(part.strip() for part in parts if part.strip())
    if tag == "mtable":
        return "; ".join(part.strip() for part in parts if part.strip())
    return "".join(parts)


def _scripts(tag: str, parts: list[str]) -> str:
    """``msup``/``msub``/``mover``/...: the base with its scripts (accents on the letter)."""
    base, rest = parts[0].rstrip(), parts[1:]
    if tag in ("mover", "munder") and rest:
        mark = rest[0].strip()
        if mark in _BRACES:
            return base
        if tag == "mover" and mark in _ACCENTS and len(base.strip()) == 1:
            return base.strip() + _ACCENTS[mark]
    if tag in ("msup", "mover"):
        return base + _script(rest[0], _SUPERSCRIPT, "^") if rest else base
    if tag in ("msub", "munder"):
        return base + _script(rest[0], _SUBSCRIPT, "_") if rest else base
    sub = _script(rest[0], _SUBSCRIPT, "_") if rest else ""
    sup = _script(rest[1], _SUPERSCRIPT, "^") if len(rest) > 1 else ""
    return base + sub + sup


_TEX_WORDS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "sigma": "σ",
    "Sigma": "Σ",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "infty": "∞",
    "cdot": "·",
    "times": "×",
    "approx": "≈",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "to": "→",
    "in": "∈",
}
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def tex_text(tex: str) -> str:
    """A rough plain rendition of TeX source: Greek letters and symbols, no braces."""

    def command(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _TEX_WORDS:
            return _TEX_WORDS[name]
        return " " if not name.isalpha() else ""

    text = _TEX_COMMAND.sub(command, tex).replace("{", "").replace("}", "")
    return _SPACES.sub(" ", text).strip()


def math_text(node: Node) -> str:
    """One-line plain text of a ``math``/``inlineMath`` node."""
    rendered = str(node.get("html") or "")
    if "<math" in rendered:
        tree = _MathMLTree()
        tree.feed(rendered)
        if tree.math is not None:
            text = _SPACES.sub(" ", _mathml(tree.math).replace("\n", " ")).strip()
            if text:
                return unicodedata.normalize("NFC", text)  # y + combining hat: ŷ
    return tex_text(str(node.get("value") or ""))


# ---------------------------------------------------------------- nodes to text

INLINE_TYPES = frozenset(
    {
        "text",
        "emphasis",
        "strong",
        "inlineCode",
        "inlineMath",
        "link",
        "crossReference",
        "abbreviation",
        "subscript",
        "superscript",
        "delete",
        "underline",
        "smallcaps",
        "span",
        "cite",
        "citeGroup",
        "keyboard",
        "siUnit",
        "inlineExpression",
        "footnoteReference",
        "break",
        "html",
    }
)
_SKIPPED = frozenset(
    {"footnoteReference", "footnoteDefinition", "comment", "mystTarget", "outputs", "output"}
)


def plain_text(node: Node | list[Node], skip: frozenset[str] = frozenset()) -> str:
    """The readable text of a node (or nodes): math as :func:`math_text`, blocks apart by
    blank lines, notebook outputs and footnote marks left out (and nodes of the ``skip``
    types)."""
    if isinstance(node, list):
        return _join(node, skip)
    kind = node.get("type")
    if kind in _SKIPPED or kind in skip:
        return ""
    if kind in ("math", "inlineMath"):
        return math_text(node)
    if kind == "break":
        return "\n"
    if kind == "html":
        return ""
    children = node.get("children")
    if children:
        return _join(children, skip)
    value = node.get("value")
    return "" if value is None else str(value)


def _join(nodes: list[Node], skip: frozenset[str]) -> str:
    """Inline nodes run together; block nodes are separated by a blank line."""
    pieces: list[str] = []
    inline = False
    for child in nodes:
        text = plain_text(child, skip)
        if not text:
            continue
        is_inline = child.get("type") in INLINE_TYPES
        if pieces and is_inline and inline:
            pieces[-1] += text
        else:
            pieces.append(text)
        inline = is_inline
    return "\n\n".join(piece.strip("\n") for piece in pieces if piece.strip())


def one_line(text: str) -> str:
    """``text`` with every run of white space (newlines too) as one space."""
    return " ".join(text.split())
