"""Students run cells twice: that must not change what any cell shows.

Each chapter is executed with every code cell run twice in a row, in a fresh kernel. Both runs of
every compared cell (those nbval compares: not ``NBVAL_IGNORE_OUTPUT``) must print exactly what
the stored notebook shows -- so no cell leaves state behind (a model trained further, a gradient
accumulated, a random generator advanced) that silently changes a later result.
"""

from __future__ import annotations

import configparser
import copy
import re

import nbformat
import pytest

from .conftest import BOOK

NOTEBOOKS = sorted(BOOK.glob("[0-9]*.ipynb"))
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The rules `make test-notebooks` hands nbval (book/nbval-sanitize.cfg), so both compare alike."""
    config = configparser.ConfigParser()
    config.read(BOOK / "nbval-sanitize.cfg", encoding="utf-8")
    return [
        (re.compile(config[name]["regex"]), config[name]["replace"]) for name in config.sections()
    ]


_SANITIZERS = _sanitizers()


def _shown(cell) -> str:
    """What nbval compares, as one string: streams, errors, and text/plain and text/html."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":  # one print may arrive as several stream messages
            if parts and parts[-1].startswith(f"[{output.name}] "):
                parts[-1] += output.text
            else:
                parts.append(f"[{output.name}] {output.text}")
        elif output.output_type == "error":
            parts.append(f"[error] {output.ename}: {output.evalue}")
        else:
            data = output.get("data", {})
            for mime in ("text/plain", "text/html"):
                if mime in data:
                    parts.append(f"[{mime}] {''.join(data[mime])}")
    text = "\n".join(part.rstrip() for part in parts)
    for pattern, replacement in _SANITIZERS:
        text = pattern.sub(replacement, text)
    return _ADDRESS.sub(" at 0x…", text)


def _compared(cell) -> bool:
    return cell.cell_type == "code" and not any(
        line.strip() == "# NBVAL_IGNORE_OUTPUT" for line in cell.source.splitlines()
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_running_every_cell_twice_changes_no_output(notebook, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTORCH_LESSONS_FAST", "0")  # the stored outputs are the normal mode's
    stored = nbformat.read(notebook, as_version=4)
    doubled = copy.deepcopy(stored)
    doubled.cells = [
        copy.deepcopy(cell) for cell in stored.cells if cell.cell_type == "code" for _ in (0, 1)
    ]
    NotebookClient(
        doubled,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(BOOK)}},
    ).execute()

    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    problems = []
    for index, cell in enumerate(code):
        first, second = doubled.cells[2 * index], doubled.cells[2 * index + 1]
        errors = [o for o in first.outputs + second.outputs if o.output_type == "error"]
        if errors:
            problems.append(f"cell {index + 1} raised {errors[0].ename}: {errors[0].evalue}")
        elif _compared(cell):
            for run, executed in (("first", first), ("second", second)):
                if _shown(executed) != _shown(cell):
                    head = cell.source.splitlines()[0] if cell.source else ""
                    problems.append(
                        f"cell {index + 1} ({head!r}), {run} run:\n"
                        f"  stored:   {_shown(cell)[:300]!r}\n  executed: {_shown(executed)[:300]!r}"
                    )
    assert problems == [], "\n".join(problems)
