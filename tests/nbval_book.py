"""The book's notebook comparison: nbval, with every cell run twice and training numbers compared
within stated tolerances. ``make test-notebooks`` loads it (``-p tests.nbval_book``).

nbval runs each chapter's code cells in one fresh kernel and compares what they show with the
stored outputs. On top of that, this plugin

- runs **every cell twice in a row** and compares both runs with the stored outputs: a student
  who re-runs a cell must see the same thing, so no cell may build on state it changed itself
  (a model trained further, a gradient accumulated, a random generator advanced);
- compares the numbers that come out of float32 **training** within a tolerance. A cell opts in
  with its metadata (``:tolerance: [accuracy, mistakes]`` in the chapter's MyST source); each
  name is a kind of number defined in ``book/nbval-tolerances.toml`` by a pattern that finds it
  and how far it may move. Everything else in such a cell -- every other word and number -- is
  still compared exactly, and cells without the metadata are compared exactly, as nbval does.

A number that moved but stayed within its tolerance is listed at the end of the run, so an
author sees how close to the edge a machine came.
"""

from __future__ import annotations

import configparser
import copy
import math
import os
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError

BOOK = Path(__file__).resolve().parents[1] / "book"
TOLERANCES = BOOK / "nbval-tolerances.toml"
METADATA_KEY = "tolerance"
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


# ---------------------------------------------------------------- tolerances


@dataclass(frozen=True)
class Kind:
    """A kind of number that training produces, and how far it may move between machines."""

    name: str
    pattern: re.Pattern[str]
    within: float  # allowed |executed - stored|; math.inf: any value (a choice, not a size)
    relative: float  # ... plus this fraction of |stored|
    why: str

    def limit(self, stored: str) -> float:
        """How far a number printed as ``stored`` may move. One unit of its last printed digit
        is added: two values within the tolerance can still round apart by that much."""
        decimals = len(stored.partition(".")[2])
        return self.within + self.relative * abs(float(stored)) + 10.0**-decimals

    def allows(self, stored: str, executed: str) -> bool:
        if math.isinf(self.within):
            return True
        try:
            return abs(float(executed) - float(stored)) <= self.limit(stored) + 1e-12
        except ValueError:
            return False

    def describe(self, stored: str) -> str:
        return "any value" if math.isinf(self.within) else f"±{self.limit(stored):.6g}"


def load_kinds(path: Path = TOLERANCES) -> dict[str, Kind]:
    """The kinds of number in ``path``: ``[name]`` tables with a ``pattern`` (its ``value``
    group is the number), ``within`` and/or ``relative`` (or ``any = true``), and ``why``."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = {}
    for name, spec in table.items():
        pattern = re.compile(spec["pattern"])
        if "value" not in pattern.groupindex:
            raise ValueError(f"{path.name} [{name}]: the pattern needs a (?P<value>...) group")
        within, relative = spec.get("within", 0.0), spec.get("relative", 0.0)
        if spec.get("any", False):
            within = math.inf
        elif not all(isinstance(x, (int, float)) and x >= 0 for x in (within, relative)) or not (
            "within" in spec or "relative" in spec
        ):
            raise ValueError(
                f"{path.name} [{name}]: give `within` and/or `relative` (numbers >= 0), or "
                "`any = true`"
            )
        if not spec.get("why", "").strip():
            raise ValueError(f"{path.name} [{name}]: say `why` this tolerance")
        kinds[name] = Kind(name, pattern, float(within), float(relative), spec["why"].strip())
    return kinds


def templated(text: str, kinds: list[Kind]) -> tuple[str, list[tuple[Kind, str]]]:
    """``text`` with every number of the given kinds replaced by ``<kind>``, and those numbers
    (with their kind) in the order they appear."""
    found: list[tuple[Kind, str]] = []
    for kind in kinds:

        def hide(match: re.Match[str], kind: Kind = kind) -> str:
            start, end = match.span("value")
            found.append((kind, match.group("value")))
            whole = match.group(0)
            offset = match.start()
            return whole[: start - offset] + f"<{kind.name}>" + whole[end - offset :]

        text = kind.pattern.sub(hide, text)
    return text, found


def compare_within(stored: str, executed: str, kinds: list[Kind]) -> list[str]:
    """Why ``executed`` is not ``stored`` up to the kinds' tolerances (empty: it is).

    The text around the numbers must be identical; each number of a listed kind must be within
    its kind's tolerance of the stored one."""
    stored_text, stored_values = templated(stored, kinds)
    executed_text, executed_values = templated(executed, kinds)
    if stored_text != executed_text:
        return [f"the text differs, not only numbers of kinds {[k.name for k in kinds]}"]
    problems = []
    for (kind, before), (_, after) in zip(stored_values, executed_values, strict=True):
        if not kind.allows(before, after):
            problems.append(
                f"{kind.name}: stored {before}, executed {after} -- outside {kind.describe(before)}"
                f" ({kind.why})"
            )
    return problems


def moved_within(stored: str, executed: str, kinds: list[Kind]) -> list[str]:
    """The numbers that differ (all within tolerance), as 'kind stored -> executed'."""
    _, stored_values = templated(stored, kinds)
    _, executed_values = templated(executed, kinds)
    return [
        f"{kind.name} {before} -> {after}"
        for (kind, before), (_, after) in zip(stored_values, executed_values, strict=True)
        if before != after
    ]


# ---------------------------------------------------------------- what nbval compares


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The rules ``make test-notebooks`` hands nbval (book/nbval-sanitize.cfg)."""
    config = configparser.ConfigParser()
    config.read(BOOK / "nbval-sanitize.cfg", encoding="utf-8")
    return [
        (re.compile(config[name]["regex"]), config[name]["replace"]) for name in config.sections()
    ]


_SANITIZERS = _sanitizers()


def shown(cell: Any) -> str:
    """What nbval compares, as one string: streams, errors, and text/plain and text/html."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
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


def compared(cell: Any) -> bool:
    """nbval compares this code cell's outputs (not tagged nbval-ignore-output, nor marked with
    the comment nbval also honours)."""
    return (
        cell.cell_type == "code"
        and not any(line.strip() == "# NBVAL_IGNORE_OUTPUT" for line in cell.source.splitlines())
        and "nbval-ignore-output" not in cell.get("metadata", {}).get("tags", [])
    )


def _texts(outputs: list[Any], sanitize: Any) -> dict[str, list[str]]:
    """The compared text of each output, keyed as nbval keys them (stream name or MIME type)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for output in outputs:
        if output.output_type == "stream":
            texts[output.name].append(sanitize(output.text))
        elif output.output_type == "error":
            texts["error"].append(f"{output.ename}: {output.evalue}")
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/"):
                texts[mime].append(sanitize("".join(value)))
    return texts


# ---------------------------------------------------------------- the nbval items


def pytest_configure(config: pytest.Config) -> None:
    """Kernels (nbval's, and the student edition's) compute with the instruction set the stored
    outputs were made with, where the CPU has it; see ``pytorch_lessons.authoring``."""
    if config.option.nbval or config.option.nbval_lax:
        from pytorch_lessons.authoring import pinned_isa

        os.environ.update(pinned_isa())


def pytest_report_header(config: pytest.Config) -> str | None:
    if not (config.option.nbval or config.option.nbval_lax):
        return None
    names = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")
    settings = [f"{k}={os.environ[k]}" for k in names if k in os.environ] or ["the CPU's own"]
    threads = os.environ.get("OMP_NUM_THREADS", "torch's default")
    return (
        f"notebook kernels: instruction set {' '.join(settings)}, threads {threads}; every cell"
        f" runs twice; tolerances from {TOLERANCES.relative_to(BOOK.parent)}"
    )


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    """nbval's notebooks, collected as :class:`BookNotebook`."""
    collected = yield
    return [
        BookNotebook.from_parent(parent, path=file_path)
        if type(item) is IPyNbFile  # exactly nbval's collector, not a subclass
        else item
        for item in collected
    ]


class BookNotebook(IPyNbFile):
    """One chapter: nbval's collector, yielding :class:`BookCell` items."""

    def collect(self) -> Any:
        kinds = load_kinds()
        for item in super().collect():
            wanted = item.cell.metadata.get(METADATA_KEY, [])
            unknown = [name for name in wanted if name not in kinds]
            if unknown:
                raise pytest.UsageError(
                    f"{self.path.name} cell {item.cell_num}: unknown tolerance kind(s) {unknown};"
                    f" the kinds are {sorted(kinds)} ({TOLERANCES.name})"
                )
            cell = BookCell.from_parent(
                self, name=item.name, cell_num=item.cell_num, cell=item.cell, options=item.options
            )
            cell.kinds = [kinds[name] for name in wanted]
            cell.add_marker(pytest.mark.notebooks)
            yield cell


class BookCell(IPyNbCell):
    """One code cell, run twice; numbers of its kinds compared within their tolerances."""

    kinds: list[Kind]
    moved: list[str]

    def runtest(self) -> None:
        # nbval waits only 5 s for a cell's last messages after it finished: too short for a
        # busy 2-core machine, where the kernel's message thread can lag behind a training cell.
        self.output_timeout = 120
        self.moved = []
        pristine = copy.deepcopy(self.cell.outputs)  # nbval merges streams into these in place
        super().runtest()
        self.cell.outputs = pristine  # the second run compares with the stored outputs again
        try:
            super().runtest()
        except NbCellError as error:
            raise NbCellError(
                error.cell_num,
                f"{error} -- in the SECOND of two runs in a row (the first matched): the cell "
                "builds on state it changed itself; seed or reset inside the cell",
                error.source,
                error.inner_traceback,
            ) from None
        if self.moved:
            self.user_properties.append(("moved within tolerance", self.moved))

    def compare_outputs(self, test: Any, ref: Any, skip_compare: Any = None) -> bool:
        if not self.kinds:
            return super().compare_outputs(test, ref, skip_compare)
        # The words and every other number: nbval's own comparison, with these kinds' numbers
        # hidden on both sides. Then the numbers themselves, each within its tolerance.
        executed, stored = _texts(test, self.sanitize), _texts(ref, self.sanitize)
        hidden_test, hidden_ref = copy.deepcopy(test), copy.deepcopy(ref)
        for outputs in (hidden_test, hidden_ref):
            for output in outputs:
                if output.output_type == "stream":
                    output.text = templated(self.sanitize(output.text), self.kinds)[0]
                for mime, value in output.get("data", {}).items():
                    if mime.startswith("text/"):
                        output.data[mime] = templated(self.sanitize("".join(value)), self.kinds)[0]
        if not super().compare_outputs(hidden_test, hidden_ref, skip_compare):
            return False
        problems = []
        for key, texts in stored.items():
            for before, after in zip(texts, executed[key], strict=True):
                problems += compare_within(before, after, self.kinds)
                self.moved += moved_within(before, after, self.kinds)
        if problems:
            self.comparison_traceback = ["numbers outside their tolerance:", *problems]
            return False
        return True


def pytest_terminal_summary(terminalreporter: Any) -> None:
    moved = [
        (report.nodeid, values)
        for report in terminalreporter.stats.get("passed", [])
        for name, values in report.user_properties
        if name == "moved within tolerance"
    ]
    if moved:
        terminalreporter.section("numbers that moved, within their tolerance")
        for nodeid, values in moved:
            shown_values = ", ".join(dict.fromkeys(values))
            terminalreporter.line(f"{nodeid}: {shown_values}")
