"""Turning MyST's site-absolute URLs into relative links that work offline.

MyST writes page links as ``/slug#anchor`` (``/`` for the index page) and asset links as
``/name-hash.ext`` (files in ``_build/site/public``). Every built page sits at the root of the
output folder, so a page becomes ``slug.html`` and an asset ``files/name-hash.ext``; the assets
that pages actually use are collected here and copied once at the end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

FILES_DIR = "files"


def page_filename(slug: str, index_slug: str) -> str:
    """The HTML file a page is written to: ``index.html`` for the index page."""
    if slug == index_slug:
        return "index.html"
    return slug.replace("/", "-") + ".html"


@dataclass
class AssetRegistry:
    """Files the built pages refer to: public assets to copy, generated files to write."""

    public_exists: Callable[[str], bool] = lambda name: True
    copies: dict[str, str] = field(default_factory=dict)  # output name -> public name
    generated: dict[str, bytes] = field(default_factory=dict)  # output name -> content

    def public(self, url: str, out_name: str | None = None) -> str | None:
        """Register public asset ``url`` (``/x.png``); return its relative link or ``None``."""
        name = url.split("#", 1)[0].split("?", 1)[0].lstrip("/")
        if not name or not self.public_exists(name):
            return None
        target = out_name or name
        self.copies[target] = name
        return f"{FILES_DIR}/{target}"

    def generate(self, content: bytes, suffix: str) -> str:
        """Store generated content (e.g. an SVG output) under a content hash; return its link."""
        digest = hashlib.sha256(content).hexdigest()[:24]
        name = f"{digest}{suffix}"
        self.generated[name] = content
        return f"{FILES_DIR}/{name}"


@dataclass
class LinkResolver:
    """Rewrites MyST URLs for pages written side by side as ``<slug>.html``."""

    page_files: Mapping[str, str]  # slug -> html file name
    index_slug: str = "index"
    assets: AssetRegistry = field(default_factory=AssetRegistry)

    def page(self, slug: str) -> str | None:
        """The HTML file for ``slug``, or ``None`` when no such page exists."""
        return self.page_files.get(slug)

    def url(self, url: str) -> str:
        """A link target for ``url``: pages and assets rewritten, anything else unchanged."""
        if not url.startswith("/") or url.startswith("//"):
            return url
        path, _, fragment = url.partition("#")
        slug = path.strip("/") or self.index_slug
        target = self.page(slug)
        if target is None:
            target = self.assets.public(path)
        if target is None:
            return url
        return f"{target}#{fragment}" if fragment else target

    def reference(self, html_id: str | None, url: str | None = None) -> str:
        """Link for a cross-reference: ``#id`` on this page or ``page.html#id`` on another."""
        anchor = f"#{html_id}" if html_id else ""
        if url:
            base = self.url(url.partition("#")[0])
            return f"{base}{anchor}"
        return anchor or "#"
