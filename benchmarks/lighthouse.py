"""Lighthouse scores of every page of the built book site (mobile, Lighthouse's default).

    make site                       # first: this script builds nothing
    python benchmarks/lighthouse.py [--runs 3] [--chrome-path /usr/bin/chromium] [--pages a.html]

Serves ``_build/html`` on 127.0.0.1 (gzip-compressed, as any web host serves a static site),
runs Lighthouse 12.2.3 (``npx --yes lighthouse@12.2.3``: npm fetches it on the first run) in
headless Chromium on each page, and prints page × performance / accessibility /
best-practices / SEO with the minimum of each column (with ``--runs N``, each score is the
median of N runs: the performance score of one run moves by several points with whatever else
the machine is doing). Goal: every score at least 95; the exit
status is 1 when one is below (2 when the site or a tool is missing). A figure for
``make bench``, not a test: Lighthouse's performance score moves with the machine's load.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
LIGHTHOUSE = "lighthouse@12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOAL = 95
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".ipynb", ".txt")


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser asks for it; no log line per request."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in _COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


class _Body:
    """A bytes body with the file-like interface ``SimpleHTTPRequestHandler`` copies from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        data, self._data = (self._data, b"") if size < 0 else (self._data[:size], self._data[size:])
        return data

    def close(self) -> None:
        self._data = b""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1; yields the base URL."""
    handler = functools.partial(CompressingHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_lighthouse(url: str, chrome: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run on ``url``; its JSON report (also written to ``report``)."""
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--max-wait-for-load=60000",
    ]
    env = {**os.environ, "CHROME_PATH": chrome}
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url} ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def scores(result: dict[str, Any]) -> dict[str, int | None]:
    """Each category's score out of 100 (``None`` where Lighthouse could not score it)."""
    out: dict[str, int | None] = {}
    for name in CATEGORIES:
        score = (result.get("categories") or {}).get(name, {}).get("score")
        out[name] = None if score is None else round(score * 100)
    return out


def median_scores(runs: list[dict[str, int | None]]) -> dict[str, int | None]:
    """Each category's median over several runs (``None`` if a run could not score it)."""
    out: dict[str, int | None] = {}
    for name in CATEGORIES:
        values = [run[name] for run in runs]
        known = [v for v in values if v is not None]
        out[name] = round(statistics.median(known)) if len(known) == len(values) else None
    return out


def failing_audits(result: dict[str, Any], limit: int = 6) -> list[str]:
    """The audits that cost points in a category below the goal, worst first."""
    audits = result.get("audits") or {}
    lines = []
    for name in CATEGORIES:
        category = (result.get("categories") or {}).get(name) or {}
        if category.get("score") is None or category["score"] * 100 >= GOAL:
            continue
        refs = [r for r in category.get("auditRefs") or [] if r.get("weight")]
        lost = []
        for ref in refs:
            audit = audits.get(ref["id"]) or {}
            score = audit.get("score")
            if score is not None and score < 1:
                title = audit.get("title", ref["id"])
                shown = audit.get("displayValue")
                lost.append((ref["weight"] * (1 - score), f"{title} {shown}" if shown else title))
        for _, title in sorted(lost, reverse=True)[:limit]:
            lines.append(f"    {name}: {title}")
    return lines


def table(rows: list[tuple[str, dict[str, int | None]]]) -> str:
    """The scores as a text table, with the minimum of each column."""
    width = max([len("minimum"), *(len(page) for page, _ in rows)])
    head = f"{'page':<{width}}  " + "  ".join(f"{c:>14}" for c in CATEGORIES)
    lines = [head, "-" * len(head)]

    def cell(value: int | None) -> str:
        return f"{'n/a' if value is None else value:>14}"

    for page, row in rows:
        lines.append(f"{page:<{width}}  " + "  ".join(cell(row[c]) for c in CATEGORIES))
    lows: dict[str, int | None] = {}
    for name in CATEGORIES:
        known = [value for _, row in rows if (value := row[name]) is not None]
        lows[name] = min(known) if known else None
    lines.append("-" * len(head))
    lines.append(f"{'minimum':<{width}}  " + "  ".join(cell(lows[c]) for c in CATEGORIES))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--chrome-path",
        default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        help="the Chromium to run (default: $CHROME_PATH, else /usr/bin/chromium)",
    )
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (_build/html)")
    parser.add_argument("--pages", nargs="*", help="only these pages (e.g. index.html)")
    parser.add_argument("--reports", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; medians (1)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    pages = args.pages or sorted(p.name for p in args.site.glob("*.html"))
    if not (args.site / "index.html").is_file() or not pages:
        print(f"no built site in {args.site}: run `make site` first", file=sys.stderr)
        return 2
    if shutil.which("npx") is None:
        print("npx (Node.js) is not on PATH: Lighthouse runs with npx", file=sys.stderr)
        return 2
    if not Path(args.chrome_path).exists():
        print(f"no Chromium at {args.chrome_path}: pass --chrome-path or set CHROME_PATH")
        return 2
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as scratch, serve(args.site) as base:
        reports = args.reports or Path(scratch)
        reports.mkdir(parents=True, exist_ok=True)
        for page in pages:
            runs = [
                run_lighthouse(f"{base}/{page}", args.chrome_path, reports / f"{page}.{n}.json")
                for n in range(args.runs)
            ]
            rows.append((page, median_scores([scores(result) for result in runs])))
            lost = failing_audits(runs[-1])
            notes += [f"  {page}:", *lost] if lost else []
    runs_note = f", median of {args.runs} runs" if args.runs > 1 else ""
    print(
        f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile, {len(rows)} pages of {args.site}"
        f"{runs_note}"
    )
    print(table(rows))
    low = [
        f"{page} {name} {value}"
        for page, row in rows
        for name, value in row.items()
        if value is None or value < GOAL
    ]
    if notes:
        print("what costs the points below the goal:", *notes, sep="\n")
    verdict = "OK" if not low else "BELOW GOAL: " + ", ".join(low)
    print(f"goal: every score >= {GOAL} -> {verdict}")
    return 0 if not low else 1


if __name__ == "__main__":
    sys.exit(main())
