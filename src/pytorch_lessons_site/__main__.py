"""``python -m pytorch_lessons_site``: the render command of our local MyST site template.

``myst build --html`` runs it with ``BUILD_DIRECTORY`` (where to write the HTML) and
``CONTENT_CDN`` (MyST's content server) set. It can also be run by hand after a build::

    python -m pytorch_lessons_site --site-dir _build/site --out _build/html
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .build import build_site
from .source import open_source


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; the defaults come from MyST's environment variables."""
    parser = argparse.ArgumentParser(prog="python -m pytorch_lessons_site", description=__doc__)
    parser.add_argument("--site-dir", type=Path, help="MyST site JSON folder (_build/site)")
    parser.add_argument("--out", type=Path, help="output folder (default: $BUILD_DIRECTORY)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the site; return the exit status."""
    args = parse_args(argv)
    build_env = os.environ.get("BUILD_DIRECTORY")
    out_dir = args.out or (Path(build_env) if build_env else Path("_build/html"))
    source = open_source(args.site_dir, out_dir.resolve(), os.environ.get("CONTENT_CDN"))
    started = time.perf_counter()
    result = build_site(source, out_dir)
    seconds = time.perf_counter() - started
    print(
        f"pytorch-lessons site: {len(result.pages)} pages written to {out_dir} in {seconds:.2f} s"
        f" ({len(result.warnings)} warnings)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
