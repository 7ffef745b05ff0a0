"""Grade a class's notebooks: ``pytorch-lessons grade SUBMISSIONS --out grades.csv``.

``SUBMISSIONS`` holds one folder per student with the chapter notebooks they handed in, named as
in the student edition (``01-tensors.ipynb``). Each notebook runs in a fresh kernel, in a
temporary copy, under a time limit and (where the platform has one) a memory limit. The verdicts
are the ones :func:`pytorch_lessons.exercises.check` decided: the grader asks it to record them
in a file (``PYTORCH_LESSONS_VERDICTS``), so nothing is read from printed text.

Code in a submission runs with the rights of whoever runs the grader, and in the same process
as the checker: it can harm your files, and it can forge its own verdicts (write the verdict
file, replace the checker). The grades say what an honest class solved; they are no proctored
exam. For a class you do not trust, run the command inside a container or a JupyterHub user
server (see the README).
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
import threading
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
#: the largest limits accepted: a week, 16 TB
MAX_TIMEOUT_S = 7 * 24 * 3600
MAX_MEMORY_MB = 1 << 24
COLUMNS = ("student", "chapter", "exercise", "passed", "note")
#: the chapters that read MNIST: grading them without it would fail every student
NEEDS_MNIST = ("06-cnn", "07-mnist", "08-capstone")
NOT_A_CHAPTER = (
    "not a chapter of the book: name it as in the student edition, e.g. 01-tensors.ipynb"
)
INTERRUPTED = "not graded: the grading was interrupted"
#: the kernel the grader starts: this interpreter, whatever kernels the machine has installed
KERNEL_NAME = "pytorch-lessons-grader"

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
    """One notebook a student handed in: ``name`` is its path inside the student's folder,
    ``chapter`` the chapter it is graded as ("" when its name matches none)."""

    student: str
    notebook: Path
    name: str
    chapter: str

    @property
    def label(self) -> str:
        return f"{self.student}/{self.name}"


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


def chapter_of(filename: str) -> str:
    """The chapter a notebook's file name stands for: ``01-tensors.ipynb``, and also what
    downloads and copies make of it (``01-Tensors (1).ipynb``, ``01-tensors-ann.ipynb``);
    "" when it stands for none."""
    stem = filename.lower().removesuffix(".ipynb")
    for chapter in sorted(_CHAPTERS, key=len, reverse=True):
        if stem == chapter or (stem.startswith(chapter) and stem[len(chapter)] in " _-(."):
            return chapter
    return ""


def _ignored(part: str) -> bool:
    """Hidden files and folders (``.ipynb_checkpoints``, ``.DS_Store``) and what macOS adds to
    a zip (``__MACOSX``): never a student's work."""
    return part.startswith(".") or part == "__MACOSX"


def find_submissions(root: Path) -> tuple[list[Submission], list[str]]:
    """The notebooks under ``root/<student>/`` (in sub-folders too), one per student and
    chapter, and a line for each thing that is not graded and why."""
    submissions: list[Submission] = []
    skipped: list[str] = []
    seen: dict[Path, str] = {}
    for folder in sorted(p for p in root.iterdir() if not _ignored(p.name)):
        if not folder.is_dir():
            skipped.append(f"{folder.name}: not a student folder (expected one folder per student)")
            continue
        same = seen.setdefault(folder.resolve(), folder.name)
        if same != folder.name:
            skipped.append(f"{folder.name}: the same folder as {same} (a link to it)")
            continue
        # each chapter's copies, and each notebook that is no chapter on its own ("")
        found: dict[str, tuple[str, list[tuple[str, Path]]]] = {}
        unreadable: list[str] = []
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if path.suffix.lower() != ".ipynb" or any(_ignored(part) for part in parts):
                continue
            name = "/".join(parts)
            if not path.is_file():
                unreadable.append(f"{folder.name}/{name}: not a file that can be read")
                continue
            chapter = chapter_of(path.name)
            found.setdefault(chapter or name, (chapter, []))[1].append((name, path))
        skipped.extend(unreadable)
        if not found and not unreadable:
            skipped.append(f"{folder.name}: no notebooks")
        for chapter, copies in found.values():
            # the copy named exactly as the edition names it, nearest the top, is the one
            copies.sort(key=lambda c: (c[0].count("/"), Path(c[0]).stem.lower() != chapter, c[0]))
            (name, path), others = copies[0], copies[1:]
            submissions.append(Submission(folder.name, path, name, chapter))
            skipped.extend(
                f"{folder.name}/{other}: a second copy of {chapter} (graded {folder.name}/{name})"
                for other, _ in others
            )
    return submissions, skipped


def missing_data(submissions: Iterable[Submission]) -> str:
    """One line when a handed-in chapter reads MNIST and this machine has none, else ""."""
    from pytorch_lessons.data import data_root, mnist_present

    needing = sorted({s.chapter for s in submissions if s.chapter in NEEDS_MNIST})
    if not needing or mnist_present():
        return ""
    return (
        f"{', '.join(needing)} {'needs' if len(needing) == 1 else 'need'} MNIST, which is not in "
        f"{data_root()}: every student would "
        "fail. Run `pytorch-lessons data fetch`, or set PYTORCH_LESSONS_DATA to the folder "
        "that holds it."
    )


def _kernel_spec(folder: Path) -> None:
    """A kernel spec for this interpreter, so that a ``python3`` kernel installed elsewhere on
    the machine (another environment, other checkers) never runs the submissions."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "pytorch-lessons grader", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


def run_notebook(
    notebook: Path,
    *,
    timeout_s: float,
    memory_mb: int,
    fast: bool,
    threads: int,
    stop: threading.Event | None = None,
) -> Outcome:
    """Run a temporary copy of ``notebook`` in a fresh kernel; the submission is not touched.
    ``stop`` set (an interrupted grading) ends the run early."""
    started = time.perf_counter()
    # a process the notebook left behind may still write there: never lose the verdicts to it
    with tempfile.TemporaryDirectory(
        prefix="pytorch-lessons-grade-", ignore_cleanup_errors=True
    ) as tmp:
        work, private, scratch = Path(tmp) / "work", Path(tmp) / "grader", Path(tmp) / "tmp"
        for folder in (work, private, scratch):
            folder.mkdir()
        copy = work / notebook.name
        shutil.copyfile(notebook, copy)
        _kernel_spec(private / "jupyter")
        files = {name: private / name for name in ("verdicts", "notes", "kernel-group", "log")}
        env = {
            **os.environ,
            VERDICTS_ENV: str(files["verdicts"]),
            "JUPYTER_PATH": str(private / "jupyter"),
            # what the worker, its kernel and the notebook put in the temporary folder (a
            # kernel's connection file, a notebook's tempfile.mkdtemp()) goes when this does,
            # also when they are stopped before they could clean up
            **dict.fromkeys(("TMPDIR", "TEMP", "TMP"), str(scratch)),
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": str(threads),
            "PYTORCH_LESSONS_FAST": "1" if fast else os.environ.get("PYTORCH_LESSONS_FAST", ""),
        }
        command = [sys.executable, "-m", "pytorch_lessons.grading", "--run-one", str(copy)]
        command += ["--notes", str(files["notes"]), "--kernel-group", str(files["kernel-group"])]
        command += ["--memory-mb", str(memory_mb)]
        # Output goes to a file, not a pipe: a process the notebook leaves behind cannot hold
        # the grader. The worker gets a session of its own, so a time limit stops all of it.
        with files["log"].open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=os.name == "posix",
            )
        note = ""
        while note == "":
            try:
                process.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    note = INTERRUPTED
                elif time.perf_counter() - started > timeout_s:
                    note = f"stopped: still running after the time limit of {timeout_s:g} s"
        _stop(process, files["kernel-group"])
        if not note:
            note = _note_from_worker(process.returncode, files["notes"], files["log"], memory_mb)
        outcome = Outcome(_read_verdicts(files["verdicts"]), note)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _stop(process: subprocess.Popen[bytes], kernel_group: Path) -> None:
    """End the worker and its kernel, and whatever they started that is still running: the
    worker's process group, and the kernel's (jupyter_client gives the kernel a session of its
    own)."""
    groups = [process.pid]
    try:
        groups.append(int(kernel_group.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    for group in groups:
        try:
            if os.name == "posix":
                os.killpg(group, signal.SIGKILL)
            elif group == process.pid:
                process.kill()
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


def _note_from_worker(returncode: int, notes: Path, log: Path, memory_mb: int) -> str:
    """The worker writes its notes (a cell failed, the kernel died) to a file of its own;
    without them, a non-zero exit is a crash, told by the last line it printed."""
    written = notes.read_text(encoding="utf-8").splitlines() if notes.exists() else []
    if written or returncode == 0:
        return "; ".join(line for line in written if line.strip())
    output = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
    if returncode < 0:
        last = f"killed by signal {-returncode}" + (f" ({last[:150]})" if last else "")
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


def _limit_memory(megabytes: int) -> str:
    """Cap this process's address space (the kernel it starts inherits the cap); "" when done
    or when the platform has no such limit (Windows; macOS does not enforce it), else why not."""
    if megabytes <= 0 or sys.platform != "linux":
        return ""
    import resource

    size = megabytes << 20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and size > hard:
        size = hard
    try:
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    except (ValueError, OSError) as error:
        return f"the memory limit of {megabytes} MB could not be set ({error})"
    return ""


def _errors(notebook: Any) -> str:
    """Which cells raised, and what: ``cell 50 raised NameError: name 'x' is not defined``
    (cells counted from 1 over the whole notebook, as the instructor will look for them)."""
    raised = [
        (number, output.get("ename", "error"), str(output.get("evalue", "")).strip())
        for number, cell in enumerate(notebook.cells, start=1)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    if not raised:
        return ""
    said = [
        f"cell {number} raised {name}" + (f": {value.splitlines()[0][:80]}" if value else "")
        for number, name, value in raised[:3]
    ]
    more = f" and {len(raised) - 3} more" if len(raised) > 3 else ""
    return "; ".join(said) + more


def _run_one(path: Path, notes: Path, kernel_group: Path, memory_mb: int) -> int:
    """Inside the worker: run the notebook (a copy; it is never written back) in a fresh kernel,
    and write a line to ``notes`` for anything the instructor should know."""

    def note(line: str) -> None:
        with notes.open("a", encoding="utf-8") as handle:
            handle.write(line.replace("\n", " ") + "\n")

    problem = _limit_memory(memory_mb)
    if problem:
        note(problem)
        return 0
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    class Client(NotebookClient):
        async def async_start_new_kernel(self, **kwargs: Any) -> None:
            await super().async_start_new_kernel(**kwargs)
            group = getattr(getattr(self.km, "provisioner", None), "pgid", None)
            if group:
                kernel_group.write_text(str(group), encoding="utf-8")

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook: say so in one line
        note(f"not a readable notebook ({type(error).__name__}: {str(error)[:120]})")
        return 0
    client = Client(notebook, timeout=None, kernel_name=KERNEL_NAME, allow_errors=True)
    try:
        client.execute(cwd=str(path.parent))
    except DeadKernelError:
        note("the kernel died (over the memory limit, or the code ended the process)")
        return 0
    except CellExecutionError as error:
        lines = str(error).strip().splitlines()
        note(lines[-1][:200] if lines else type(error).__name__)
        return 0
    except Exception as error:  # the kernel did not start, or stopped answering
        low = (
            f"; with --memory-mb {memory_mb}, is that enough? torch needs about 4 GB"
            if memory_mb > 0
            else ""
        )
        note(
            f"the kernel could not run the notebook ({type(error).__name__}: {str(error)[:120]}{low})"
        )
        return 0
    errors = _errors(notebook)
    if errors:
        note(errors)
    return 0


def _grade_one(submission: Submission, stop: threading.Event, **limits: Any) -> Outcome:
    """:func:`run_notebook`, where anything that goes wrong is a note and not the end of the
    class's grading."""
    try:
        return run_notebook(submission.notebook, stop=stop, **limits)
    except Exception as error:
        return Outcome(note=f"could not be graded ({type(error).__name__}: {str(error)[:150]})")


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
    handed in; an exercise not attempted is not passed. An interruption (Ctrl-C) stops every
    notebook still running, removes their temporary copies, and is raised again."""
    chapters = chapter_exercises()
    todo = list(submissions)
    rows: dict[int, list[Row]] = {}
    runnable: list[tuple[int, Submission]] = []
    for i, s in enumerate(todo):
        if not s.chapter or not chapters.get(s.chapter):
            note = NOT_A_CHAPTER if not s.chapter else "this chapter has no checked exercises"
            rows[i] = [Row(s.student, s.chapter or Path(s.name).stem, "", False, note)]
            progress(f"{s.label}: {note}")
        else:
            runnable.append((i, s))
    threads = 1 if jobs > 1 else max(1, min(2, os.cpu_count() or 1))
    limits = {"timeout_s": timeout_s, "memory_mb": memory_mb, "fast": fast, "threads": threads}
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {pool.submit(_grade_one, s, stop, **limits): (i, s) for i, s in runnable}
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            i, s = futures[future]
            outcome = future.result()
            renamed = Path(s.name).name != f"{s.chapter}.ipynb"
            note = "; ".join(
                part for part in (f"graded as {s.chapter}" if renamed else "", outcome.note) if part
            )
            exercises = chapters[s.chapter]
            rows[i] = [
                Row(s.student, s.chapter, ex, outcome.verdicts.get(ex, False), note)
                for ex in exercises
            ]
            passed = sum(row.passed for row in rows[i])
            progress(
                f"[{done}/{len(runnable)}] {s.label}: "
                f"{passed}/{len(exercises)} passed in {outcome.seconds:.1f} s"
                + (f" -- {note}" if note else "")
            )
    except BaseException:  # Ctrl-C, or SIGTERM made into one: stop the workers, then go
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return [row for i in sorted(rows) for row in rows[i]]


def write_csv(rows: list[Row], path: Path) -> None:
    """``grades.csv``, written beside itself and then moved into place: an older file is
    replaced whole or not at all."""
    _write_whole(path, lambda handle: _csv_rows(rows, handle))


def _csv_rows(rows: list[Row], handle: Any) -> None:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    for row in rows:
        passed = "true" if row.passed else "false"
        writer.writerow([row.student, row.chapter, row.exercise, passed, row.note])


def write_summary(rows: list[Row], path: Path) -> None:
    """:func:`summary_html`, written as :func:`write_csv` writes."""
    _write_whole(path, lambda handle: handle.write(summary_html(rows)))


def _write_whole(path: Path, write: Callable[[Any], object]) -> None:
    """Write ``path`` through a temporary file beside it. A folder name that is not UTF-8
    (a student's, from an old zip) is written with backslash escapes instead of failing."""
    handle = tempfile.NamedTemporaryFile(
        "w",
        dir=path.parent,
        prefix=f".{path.name}.",
        delete=False,
        newline="",
        encoding="utf-8",
        errors="backslashreplace",
    )
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def summary_html(rows: list[Row]) -> str:
    """A student × exercise table, green for passed, with the class's pass rate per exercise:
    the exercise the class found hard stands out as a pale column."""
    students = sorted({row.student for row in rows})
    columns = list(dict.fromkeys((row.chapter, row.exercise) for row in rows if row.exercise))
    cell = {(row.student, row.chapter, row.exercise): row for row in rows}
    notes = {(row.student, row.chapter): row.note for row in rows if row.note}  # one per notebook
    graded = {(row.student, row.chapter) for row in rows if row.exercise}
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
            elif row.note:
                said = html.escape(f"not passed: {row.note}", quote=True)
                tds.append(f'<td class="fail" title="{said}">✗*</td>')
            else:
                tds.append('<td class="fail" title="not passed">✗</td>')
        total = sum(r.passed for r in rows if r.student == student and r.exercise)
        lines.append(
            f'<tr><th scope="row">{html.escape(student)}</th>{"".join(tds)}'
            f'<td class="total">{total}</td></tr>'
        )
    rates = []
    for ch, ex in columns:
        of_it = [r for r in rows if r.chapter == ch and r.exercise == ex]
        rate = sum(r.passed for r in of_it) / len(of_it) if of_it else 0.0
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
<p>{len(students)} students, {len(graded)} notebooks graded, {len(columns)} exercises.
✓ passed, ✗ not passed, ✗* not passed and the notebook has a note below, · not handed in.
The last row is the class's pass rate among the students who handed the chapter in.</p>
<table><thead><tr><th scope="col">Student</th>{head}<th scope="col">Passed</th></tr></thead>
<tbody>{"".join(lines)}</tbody>
<tfoot><tr><th scope="row">Pass rate</th>{"".join(rates)}<td></td></tr></tfoot></table>
{notes_html}
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    """``python -m pytorch_lessons.grading --run-one NOTEBOOK --notes F --kernel-group F
    --memory-mb N``: the worker of one notebook (:func:`run_notebook` starts it)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 8 and args[0::2] == ["--run-one", "--notes", "--kernel-group", "--memory-mb"]:
        return _run_one(Path(args[1]), Path(args[3]), Path(args[5]), int(args[7]))
    print("usage: pytorch-lessons grade SUBMISSIONS --out grades.csv", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
