"""Grade a class's notebooks: ``pytorch-lessons grade SUBMISSIONS --out grades.csv``.

``SUBMISSIONS`` holds one folder per student with the chapter notebooks they handed in, named as
in the student edition (``01-tensors.ipynb``). Each notebook runs in a fresh kernel, in a
temporary copy, under a time limit and (where the platform has one) a memory limit. The verdicts
are the ones :func:`pytorch_lessons.exercises.check` decided: the grader asks it to record them
in a file (``PYTORCH_LESSONS_VERDICTS``), so nothing is read from printed text.

Code in a submission runs with the rights of whoever runs the grader. For a class you do not
trust, run the command inside a container or a JupyterHub user server (see the README).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the environment variable that makes ``check`` record its verdicts (a JSON line each)
VERDICTS_ENV = "PYTORCH_LESSONS_VERDICTS"
DEFAULT_TIMEOUT_S = 600
DEFAULT_MEMORY_MB = 8192
COLUMNS = ("student", "chapter", "exercise", "passed", "note")

# A chapter's exercises are registered by the module named after its concept (``01-tensors`` ->
# ``exercises/tensors.py``); the appendix's are about common mistakes.
_MODULE_OF = {"09-appendix": "mistakes"}


@dataclass(frozen=True)
class Row:
    """One line of ``grades.csv``."""

    student: str
    chapter: str
    exercise: str
    passed: bool
    note: str = ""


@dataclass
class Outcome:
    """What running one notebook gave: the verdicts ``check`` recorded, and a note."""

    verdicts: dict[str, bool] = field(default_factory=dict)
    note: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Submission:
    student: str
    notebook: Path

    @property
    def chapter(self) -> str:
        return self.notebook.stem


def chapter_exercises() -> dict[str, list[str]]:
    """Each chapter's exercise ids, in the order they were registered, by notebook stem."""
    from pytorch_lessons.exercises import all_exercises

    by_module: dict[str, list[str]] = {}
    for ex in all_exercises().values():
        by_module.setdefault(ex.chapter, []).append(ex.id)
    chapters: dict[str, list[str]] = {}
    for stem in _CHAPTERS:
        module = _MODULE_OF.get(stem, stem.split("-", 1)[1].replace("-", "_"))
        chapters[stem] = by_module.get(module, [])
    return chapters


_CHAPTERS = (
    "01-tensors",
    "02-autograd",
    "03-linear-regression",
    "04-gradient-descent",
    "05-classification",
    "06-cnn",
    "07-mnist",
    "08-capstone",
    "09-appendix",
)


_CHECK = re.compile(r"""check\(\s*["']([a-z0-9-]+)["']""")


def worked_submission(instructor_notebook: Any) -> Any:
    """What a student who solved every exercise hands in: the student edition with each
    solution's code after its exercise's stub (the stub's set-up lines stay; its failed check is
    overruled by the later one). Grading it should pass everything: a check of the grader."""
    from pytorch_lessons.editions import student_notebook

    solutions = {
        _CHECK.findall(cell.source)[0]: cell.source
        for cell in instructor_notebook.cells
        if "solution" in cell.metadata.get("tags", []) and _CHECK.findall(cell.source)
    }
    worked = student_notebook(instructor_notebook)
    for cell in worked.cells:
        ids = _CHECK.findall(cell.source) if "exercise" in cell.metadata.get("tags", []) else []
        if ids and ids[0] in solutions:
            cell.source = cell.source + "\n" + solutions[ids[0]]
    return worked


def find_submissions(root: Path) -> tuple[list[Submission], list[str]]:
    """The notebooks under ``root/<student>/``, and a line for each thing that is not one."""
    submissions: list[Submission] = []
    skipped: list[str] = []
    for folder in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
        if not folder.is_dir():
            skipped.append(f"{folder.name}: not a student folder (expected one folder per student)")
            continue
        notebooks = sorted(folder.rglob("*.ipynb"))
        notebooks = [p for p in notebooks if ".ipynb_checkpoints" not in p.parts]
        if not notebooks:
            skipped.append(f"{folder.name}: no notebooks")
        submissions.extend(Submission(folder.name, path) for path in notebooks)
    return submissions, skipped


def _limit_memory(megabytes: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` capping the address space of the notebook's process and its kernel,
    or None where the platform has no such limit (Windows; macOS does not enforce it)."""
    if megabytes <= 0 or sys.platform != "linux":
        return None
    import resource

    def limit() -> None:
        os.setsid()  # its own process group, so a timeout stops the kernel too
        size = megabytes << 20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


def run_notebook(
    notebook: Path, *, timeout_s: float, memory_mb: int, fast: bool, threads: int
) -> Outcome:
    """Run a temporary copy of ``notebook`` in a fresh kernel; the submission is not touched."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pytorch-lessons-grade-") as tmp:
        work = Path(tmp)
        copy = work / notebook.name
        shutil.copyfile(notebook, copy)
        verdicts = work / "verdicts.jsonl"
        env = {
            **os.environ,
            VERDICTS_ENV: str(verdicts),
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": str(threads),
            "PYTORCH_LESSONS_FAST": "1" if fast else os.environ.get("PYTORCH_LESSONS_FAST", ""),
        }
        command = [sys.executable, "-m", "pytorch_lessons.grading", "--run-one", str(copy)]
        preexec = _limit_memory(memory_mb)
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=preexec,  # only setsid and setrlimit: safe before exec
            start_new_session=preexec is None and os.name == "posix",
        )
        try:
            output, _ = process.communicate(timeout=timeout_s)
            note = _note_from_worker(process.returncode, output, memory_mb)
        except subprocess.TimeoutExpired:
            _stop(process)
            note = f"stopped: still running after the time limit of {timeout_s:g} s"
        outcome = Outcome(_read_verdicts(verdicts), note)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _stop(process: subprocess.Popen[str]) -> None:
    """End the worker and its kernel (their process group) and wait for them."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()


def _note_from_worker(returncode: int, output: str, memory_mb: int) -> str:
    """The worker prints one ``note:`` line when a cell failed; anything else is a crash."""
    notes = [line[5:].strip() for line in output.splitlines() if line.startswith("note:")]
    if returncode == 0:
        return "; ".join(notes)
    if notes:
        return "; ".join(notes)
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
    hint = f" (over the memory limit of {memory_mb} MB?)" if "MemoryError" in output else ""
    return f"crashed{hint}: {last[:200]}"


def _read_verdicts(path: Path) -> dict[str, bool]:
    """Each exercise's last verdict; a line that is not a verdict is ignored."""
    verdicts: dict[str, bool] = {}
    if not path.exists():
        return verdicts
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("exercise"), str):
            verdicts[record["exercise"]] = record.get("passed") is True
    return verdicts


def _run_one(path: Path) -> int:
    """Inside the worker: execute the notebook in place with a fresh kernel; print notes."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook: say so in one line
        print(f"note: not a readable notebook ({type(error).__name__}: {str(error)[:120]})")
        return 0
    client = NotebookClient(
        notebook, timeout=None, kernel_name="python3", allow_errors=True, resources={}
    )
    try:
        client.execute(cwd=str(path.parent))
    except DeadKernelError:
        print("note: the kernel died (over the memory limit, or the code ended the process)")
        return 0
    except CellExecutionError as error:
        print(f"note: {str(error).strip().splitlines()[-1][:200]}")
        return 0
    errors = [
        (cell.get("execution_count"), output.get("ename", "error"))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    if errors:
        first = ", ".join(f"cell [{count}] raised {name}" for count, name in errors[:3])
        more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
        print(f"note: {first}{more}")
    return 0


def grade(
    submissions: Iterable[Submission],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    jobs: int = 1,
    fast: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Row]:
    """Run every submission (``jobs`` at a time) and return one row per exercise of each chapter
    handed in; an exercise not attempted is not passed."""
    chapters = chapter_exercises()
    todo = list(submissions)
    rows: dict[int, list[Row]] = {}
    known = [(i, s) for i, s in enumerate(todo) if s.chapter in chapters]
    for i, s in enumerate(todo):
        if s.chapter not in chapters:
            rows[i] = [Row(s.student, s.chapter, "", False, "not a chapter of the book")]
            progress(f"{s.student}/{s.notebook.name}: not a chapter of the book")
    threads = 1 if jobs > 1 else max(1, min(2, os.cpu_count() or 1))
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(
                run_notebook,
                s.notebook,
                timeout_s=timeout_s,
                memory_mb=memory_mb,
                fast=fast,
                threads=threads,
            ): (i, s)
            for i, s in known
        }
        for future in as_completed(futures):
            i, s = futures[future]
            outcome = future.result()
            exercises = chapters[s.chapter]
            rows[i] = [
                Row(s.student, s.chapter, ex, outcome.verdicts.get(ex, False), outcome.note)
                for ex in exercises
            ]
            done += 1
            passed = sum(row.passed for row in rows[i])
            note = f" -- {outcome.note}" if outcome.note else ""
            progress(
                f"[{done}/{len(known)}] {s.student}/{s.notebook.name}: "
                f"{passed}/{len(exercises)} passed in {outcome.seconds:.1f} s{note}"
            )
    return [row for i in sorted(rows) for row in rows[i]]


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(
                [
                    row.student,
                    row.chapter,
                    row.exercise,
                    "true" if row.passed else "false",
                    row.note,
                ]
            )


def summary_html(rows: list[Row]) -> str:
    """A student × exercise table, green for passed, with the class's pass rate per exercise:
    the exercise the class found hard stands out as a pale column."""
    students = sorted({row.student for row in rows})
    columns = list(dict.fromkeys((row.chapter, row.exercise) for row in rows if row.exercise))
    cell = {(row.student, row.chapter, row.exercise): row for row in rows}
    notes = {(row.student, row.chapter): row.note for row in rows if row.note}  # one per notebook
    handed_in = {(row.student, row.chapter) for row in rows}
    head = "".join(
        f'<th scope="col"><span class="chapter">{html.escape(ch)}</span><br>'
        f"<code>{html.escape(ex)}</code></th>"
        for ch, ex in columns
    )
    lines = []
    for student in students:
        tds = []
        for ch, ex in columns:
            row = cell.get((student, ch, ex))
            if row is None:
                tds.append('<td class="absent" title="not handed in">·</td>')
            elif row.passed:
                tds.append('<td class="pass" title="passed">✓</td>')
            else:
                tds.append('<td class="fail" title="not passed">✗</td>')
        total = sum(r.passed for r in rows if r.student == student and r.exercise)
        lines.append(
            f'<tr><th scope="row">{html.escape(student)}</th>{"".join(tds)}'
            f'<td class="total">{total}</td></tr>'
        )
    rates = []
    for ch, ex in columns:
        graded = [r for r in rows if r.chapter == ch and r.exercise == ex]
        rate = sum(r.passed for r in graded) / len(graded) if graded else 0.0
        rates.append(f'<td class="rate" style="--rate:{rate:.2f}">{rate:.0%}</td>')
    note_items = "".join(
        f"<li><strong>{html.escape(s)}</strong> {html.escape(ch)}: {html.escape(n)}</li>"
        for (s, ch), n in sorted(notes.items())
    )
    notes_html = f"<h2>Notes</h2><ul>{note_items}</ul>" if note_items else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grades</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2129; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #d0d4da; padding: 0.3rem 0.5rem; text-align: center; }}
th[scope=row] {{ text-align: left; }}
thead th {{ font-weight: 600; font-size: 0.85rem; vertical-align: bottom; }}
.chapter {{ color: #555b66; font-weight: 400; }}
.pass {{ background: #c8ecd4; color: #0b5e27; }}
.fail {{ background: #f8d3d1; color: #8a1c17; }}
.absent {{ color: #8a8f98; }}
.rate {{ font-weight: 600; background: color-mix(in srgb, #c8ecd4 calc(var(--rate) * 100%),
  #f8d3d1); }}
</style></head><body>
<h1>Grades</h1>
<p>{len(students)} students, {len({(r.student, r.chapter) for r in rows})} notebooks,
{len(columns)} exercises. ✓ passed, ✗ not passed, · not handed in.
The last row is the class's pass rate among the students who handed the chapter in.</p>
<table><thead><tr><th scope="col">Student</th>{head}<th scope="col">Passed</th></tr></thead>
<tbody>{"".join(lines)}</tbody>
<tfoot><tr><th scope="row">Pass rate</th>{"".join(rates)}<td></td></tr></tfoot></table>
{notes_html}
<p>{len(handed_in)} notebooks graded.</p>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    """``python -m pytorch_lessons.grading --run-one NOTEBOOK``: the worker of one notebook."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--run-one":
        return _run_one(Path(args[1]))
    print("usage: pytorch-lessons grade SUBMISSIONS --out grades.csv", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
