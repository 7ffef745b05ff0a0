"""What a page says about itself beyond its body: a description for search engines and link
previews, the date its source last changed, where to edit it, and its text for site search.

The description is the page's ``description`` frontmatter, else its first paragraph (cut to
:data:`DESCRIPTION_LENGTH` characters), else the project's description. The date comes from
``git log`` (a checkout), else from the file's modification time (an unpacked archive).
"""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .plaintext import one_line, plain_text

Node = dict[str, Any]

DESCRIPTION_LENGTH = 160  # what search engines show of a description
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_NOT_DESCRIBING = frozenset({"cite", "citeGroup"})  # "(LeCun et al., 1998)" says nothing here


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` on one line and at most ``limit`` characters: whole sentences when they fit
    (and say enough), else whole words and an ellipsis."""
    text = re.sub(r"\s+([,.;:!?])", r"\1", one_line(text))  # where a citation was left out
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—- ")
    return f"{cut}…"


def first_paragraph(mdast: Node) -> str:
    """The plain text of the first paragraph of a page's tree (``""`` when there is none)."""
    stack = [mdast]
    while stack:
        node = stack.pop(0)
        if node.get("type") == "paragraph":
            text = one_line(plain_text(node, skip=_NOT_DESCRIBING))
            if text:
                return text
            continue
        if node.get("type") in ("outputs", "output", "code", "comment"):
            continue
        stack[:0] = node.get("children") or []
    return ""


def page_description(doc: Node, project_description: str = "") -> str:
    """The page's ``<meta name="description">`` text (see the module docstring)."""
    frontmatter = doc.get("frontmatter") or {}
    given = str(frontmatter.get("description") or "").strip()
    if given:
        return shorten(given)
    paragraph = first_paragraph(doc.get("mdast") or {})
    return shorten(paragraph or project_description)


# ---------------------------------------------------------------- source file, date, edit link


def project_root(*starts: Path | None) -> Path | None:
    """The folder with ``myst.yml`` at or above one of ``starts`` (e.g. ``_build/site``)."""
    for start in starts:
        if start is None:
            continue
        for folder in [start.resolve(), *start.resolve().parents]:
            if (folder / "myst.yml").is_file():
                return folder
    return None


def source_files(doc: Node, root: Path) -> list[Path]:
    """The page's source files, authoring source first: a notebook's paired MyST Markdown
    (``book/01-tensors.md`` beside ``book/01-tensors.ipynb``), then the file MyST read."""
    location = str(doc.get("location") or "").lstrip("/")
    if not location:
        return []
    read = root / location
    paired = read.with_suffix(".md")
    files = [paired] if read.suffix == ".ipynb" and paired.is_file() else []
    return [*files, read] if read.is_file() else files


def _git(root: Path, *args: str) -> str | None:
    """Output of ``git -C root ARGS``, or ``None`` without git or outside a repository."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def last_updated(files: list[Path], root: Path) -> str:
    """ISO date (``2025-01-31``) of the last commit that changed one of ``files``; the latest
    modification time when git knows none of them (no git, no checkout, never committed)."""
    if not files:
        return ""
    paths = [str(path.relative_to(root)) for path in files]
    date = _git(root, "log", "-1", "--format=%cs", "--", *paths)
    if date:
        return date
    newest = max(path.stat().st_mtime for path in files)
    return datetime.date.fromtimestamp(newest).isoformat()


def repository_path(path: Path, root: Path) -> str:
    """``path`` as the repository names it: relative to the git top level when the book is a
    sub-folder of its repository, else relative to the book's root."""
    prefix = _git(root, "rev-parse", "--show-prefix") or ""
    return prefix + path.relative_to(root).as_posix()


def edit_url(repository_url: str, branch: str, path: str) -> str:
    """The web page that edits ``path`` on ``branch`` (GitHub style; GitLab's ``/-/edit/``)."""
    if not repository_url or not path:
        return ""
    base = repository_url.rstrip("/").removesuffix(".git")
    kind = "-/edit" if "gitlab" in urlsplit(base).netloc else "edit"
    return f"{base}/{kind}/{branch or 'main'}/{path}"


# ---------------------------------------------------------------- search text


def section_texts(mdast: Node) -> dict[str | None, str]:
    """The plain text of each section of a page, by the id of the heading that starts it
    (``None``: the text before the first heading), math as readable text."""
    sections: dict[str | None, list[str]] = {None: []}
    current: list[str | None] = [None]

    def visit(node: Node) -> None:
        if node.get("type") == "heading":
            ident = node.get("html_id") or node.get("identifier")
            current[0] = str(ident) if ident else current[0]
            sections.setdefault(current[0], [])
            return
        if _has_heading(node):
            for child in node.get("children") or []:
                visit(child)
            return
        text = plain_text(node)
        if text.strip():
            sections.setdefault(current[0], []).append(text)

    visit(mdast)
    return {key: "\n\n".join(parts) for key, parts in sections.items()}


def _has_heading(node: Node) -> bool:
    """Whether a heading lies anywhere below ``node``."""
    return any(
        child.get("type") == "heading" or _has_heading(child)
        for child in node.get("children") or []
    )


def readable_records(
    records: list[dict[str, Any]], sections: dict[str, dict[str | None, str]], index_slug: str
) -> list[dict[str, Any]]:
    """MyST's search records with each section's ``content`` replaced by its readable text
    (``sections``: :func:`section_texts` by page slug); records of other pages kept as they are."""
    for record in records:
        if "content" not in record:
            continue
        path, _, fragment = str(record.get("url") or "/").partition("#")
        page = sections.get(path.strip("/") or index_slug)
        key = fragment or None
        if page is not None and key in page and page[key].strip():
            record["content"] = page[key]
    return records
