"""Where the MyST site JSON comes from: the ``_build/site`` folder, or MyST's content server.

``myst build --html`` writes ``config.json``, ``content/<slug>.json``, ``myst.search.json`` and a
``public/`` folder of assets to ``_build/site``, starts a content server (``CONTENT_CDN``) that
serves the same files (public assets at the server root), then runs our render command.
Reading the folder is simplest; the server is the fallback when the folder cannot be found.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class SiteSource(Protocol):
    """Read access to one built MyST site."""

    def read_json(self, name: str) -> Any:
        """Parse a JSON file of the site, e.g. ``config.json`` or ``content/intro.json``."""

    def read_bytes(self, name: str) -> bytes | None:
        """Bytes of a site file, or ``None`` when it does not exist."""

    def read_public(self, name: str) -> bytes | None:
        """Bytes of a public asset (an image, a notebook, a large output), or ``None``."""


@dataclass(frozen=True)
class DirectorySource:
    """A site read from a folder such as ``_build/site``."""

    root: Path

    def read_json(self, name: str) -> Any:
        """Parse ``root/name`` as JSON."""
        return json.loads((self.root / name).read_text(encoding="utf-8"))

    def read_bytes(self, name: str) -> bytes | None:
        """Bytes of ``root/name``, or ``None``."""
        path = self.root / name
        return path.read_bytes() if path.is_file() else None

    def read_public(self, name: str) -> bytes | None:
        """Bytes of ``root/public/name``, or ``None``."""
        return self.read_bytes(f"public/{_safe_name(name)}")


@dataclass(frozen=True)
class HttpSource:
    """A site read from MyST's content server (the ``CONTENT_CDN`` address)."""

    base_url: str

    def _get(self, name: str) -> bytes | None:
        url = f"{self.base_url.rstrip('/')}/{name.lstrip('/')}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local server)
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def read_json(self, name: str) -> Any:
        """Fetch and parse ``name`` from the server."""
        data = self._get(name)
        if data is None:
            raise FileNotFoundError(f"{self.base_url}/{name}")
        return json.loads(data)

    def read_bytes(self, name: str) -> bytes | None:
        """Fetch ``name`` from the server, or ``None`` on 404."""
        return self._get(name)

    def read_public(self, name: str) -> bytes | None:
        """Public assets live at the server root."""
        return self._get(_safe_name(name))


def _safe_name(name: str) -> str:
    """A public asset's file name without a leading slash or any folder climbing."""
    cleaned = name.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    if ".." in Path(cleaned).parts:
        raise ValueError(f"refusing to read outside the site: {name!r}")
    return cleaned


def open_source(
    site_dir: Path | None, build_dir: Path | None, content_cdn: str | None
) -> SiteSource:
    """Pick the site to read, first found of: ``site_dir``; ``<build_dir>/../site``; MyST's
    content server at ``content_cdn``; ``./_build/site``."""
    if site_dir is not None:
        if (site_dir / "config.json").is_file():
            return DirectorySource(site_dir.resolve())
        raise FileNotFoundError(f"no MyST site JSON in {site_dir} (no config.json)")
    if build_dir is not None and (build_dir.parent / "site" / "config.json").is_file():
        return DirectorySource((build_dir.parent / "site").resolve())
    if content_cdn:
        return HttpSource(content_cdn)
    local = Path.cwd() / "_build" / "site"
    if (local / "config.json").is_file():
        return DirectorySource(local.resolve())
    raise FileNotFoundError(f"no MyST site JSON found (looked in {local}); run `myst build --html`")
