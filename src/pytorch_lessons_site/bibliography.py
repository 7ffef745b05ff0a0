"""Citations: the references list at the end of a page, from MyST's page JSON.

With ``project.bibliography`` set in ``myst.yml``, MyST resolves each ``{cite:p}``/``{cite:t}``
against the BibTeX file and writes, per page, ``references.cite``: ``order`` (the cited keys,
in order of first citation) and ``data`` (per key, the formatted entry as ``html``). Each
``cite`` node links to its entry here, ``#ref-<key>``.
"""

from __future__ import annotations

import html
import re
from typing import Any

Node = dict[str, Any]

REFERENCES_ID = "references"
_NEW_TAB = re.compile(r'\s*target="_blank"')
_REL = re.compile(r'\srel="[^"]*"')


def reference_id(label: str) -> str:
    """The id of the entry for citation key ``label``."""
    return f"ref-{label}"


def cited_entries(doc: Node | None) -> dict[str, str]:
    """Citation key -> formatted entry (HTML), in citation order, for a page JSON ``doc``."""
    cite = ((doc or {}).get("references") or {}).get("cite") or {}
    data = cite.get("data") or {}
    entries = {}
    for label in cite.get("order") or []:
        entry = data.get(label) or {}
        if entry.get("html"):
            entries[str(label)] = _offline_links(str(entry["html"]))
    return entries


def _offline_links(entry: str) -> str:
    """The entry's DOI/URL links as the site's other external links: same tab, marked."""
    entry = _NEW_TAB.sub("", entry)
    entry = _REL.sub("", entry)
    return entry.replace("<a ", '<a class="external" rel="noopener noreferrer" ')


def references_section(entries: dict[str, str]) -> str:
    """The "References" section of a page ("" when the page cites nothing)."""
    if not entries:
        return ""
    items = "".join(
        f'<li id="{html.escape(reference_id(label))}">{entry}</li>'
        for label, entry in entries.items()
    )
    anchor = f'<a class="anchor" href="#{REFERENCES_ID}" aria-label="Link to this section">#</a>'
    return (
        f'<section class="references" aria-labelledby="{REFERENCES_ID}">'
        f'<h2 id="{REFERENCES_ID}">References{anchor}</h2>'
        f'<ol class="reference-list">{items}</ol></section>'
    )
