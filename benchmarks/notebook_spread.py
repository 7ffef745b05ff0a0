"""How far each chapter's compared outputs move between machines: the evidence behind the
tolerances in ``book/nbval-tolerances.toml``.

    python benchmarks/notebook_spread.py [--config NAME ...] [book/07-mnist.ipynb ...]

Float32 training gives slightly different numbers on another instruction set, another thread
count or another operating system. This script re-executes each chapter in a fresh kernel under
several settings that change the float32 kernels PyTorch picks on this machine (thread counts,
``ATEN_CPU_CAPABILITY``, ``ONEDNN_MAX_CPU_ISA``) and prints, for every compared cell whose text
differs from the stored notebook, each number that moved: stored, executed, and the difference.
Cells that do not move are not printed. Each moved cell ends with the verdict `make
test-notebooks` would give it: ``within tolerance`` (its kinds cover the change), ``OUTSIDE``
(a number moved too far, or its words changed) or ``EXACT CELL MOVED`` (a cell with no
tolerance kinds changed: it needs some, or it is not deterministic).

``--seeds 1,2,3`` also runs each chapter with its seeds changed (every ``set_seed(0)`` and
``manual_seed(0)`` becomes ``set_seed(k)``): how far a *different random start* moves the numbers.
No machine should move them further than that, so it bounds the tolerances from above.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(ROOT))

from tests.nbval_book import compare_within, compared, load_kinds, shown  # noqa: E402

CONFIGS: dict[str, dict[str, str]] = {
    "threads-1": {"OMP_NUM_THREADS": "1"},
    "threads-3": {"OMP_NUM_THREADS": "3"},
    "isa-default-sse41": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "isa-default": {"ATEN_CPU_CAPABILITY": "default"},
    "onednn-avx": {"ONEDNN_MAX_CPU_ISA": "AVX"},
    "stored-settings": {},
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


SEED = re.compile(r"\b(set_seed|manual_seed)\(0\)")


def execute(path: Path, settings: dict[str, str], seed: int = 0) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = SEED.sub(rf"\g<1>({seed})", cell.source)
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    os.environ["PYTORCH_LESSONS_FAST"] = "0"
    try:
        NotebookClient(
            notebook,
            timeout=900,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(BOOK)}},
        ).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def moved(stored: str, executed: str) -> tuple[bool, list[str]]:
    """(the words differ too, ["stored -> executed (difference)" for each number that moved])."""
    words_differ = NUMBER.sub("#", stored) != NUMBER.sub("#", executed)
    changes = []
    for before, after in zip(NUMBER.findall(stored), NUMBER.findall(executed), strict=False):
        if before != after:
            difference = float(after) - float(before)
            changes.append(f"{before} -> {after} ({difference:+.4g})")
    return words_differ, changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="executed chapters (default: all)")
    parser.add_argument(
        "--config", action="append", choices=sorted(CONFIGS), help="settings to try (default: all)"
    )
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(seed) for seed in text.split(",")],
        default=[],
        help="seeds to try instead, e.g. 1,2,3",
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(BOOK.glob("[0-9]*.ipynb"))
    runs = [(name, CONFIGS[name], 0) for name in args.config or ([] if args.seeds else CONFIGS)]
    runs += [(f"seed-{seed}", {}, seed) for seed in args.seeds]
    kinds = load_kinds()
    for name, settings, seed in runs:
        label = " ".join(f"{k}={v}" for k, v in settings.items()) or "(as stored)"
        print(f"\n== {name}: {label}", flush=True)
        for path in notebooks:
            start = time.perf_counter()
            stored = nbformat.read(path, as_version=4)
            executed = execute(path, settings, seed)
            code = [
                (s, e)
                for s, e in zip(stored.cells, executed.cells, strict=True)
                if s.cell_type == "code"
            ]
            lines = []
            for number, (before, after) in enumerate(code):
                if not compared(before):
                    continue
                old, new = shown(before), shown(after)
                if old == new:
                    continue
                words, changes = moved(old, new)
                head = before.source.splitlines()[0][:60] if before.source else ""
                names = before.metadata.get("tolerance", [])
                if not names:
                    verdict = "EXACT CELL MOVED"
                else:
                    problems = compare_within(old, new, [kinds[name] for name in names])
                    verdict = f"OUTSIDE: {problems[0]}" if problems else "within tolerance"
                flag = "  WORDS DIFFER" if words else ""
                lines.append(
                    f"   cell {number} ({head!r}){flag}: "
                    + "; ".join(changes[:24])
                    + f" -> {verdict}"
                )
            seconds = time.perf_counter() - start
            print(f"-- {path.stem}: {len(lines)} cell(s) moved ({seconds:.0f} s)", flush=True)
            for line in lines:
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
