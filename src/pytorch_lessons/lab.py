"""JupyterLab on the course: the student workspace, or the instructor's book.

``pytorch-lessons lab`` (``make lab``) opens ``student/``: the student edition, made or
refreshed first from ``book/`` -- no solutions at all, and a notebook the student has edited is
kept as it is. ``pytorch-lessons lab --instructor`` opens ``book/`` itself, where every solution
is collapsed until clicked, and each chapter is listed once: its ``.md``, which opens on
double-click (``lab_settings/overrides.json``) as the notebook jupytext pairs with its
``.ipynb`` -- outputs included, one kernel. Either way kernels start with the out-of-order hint
(:mod:`pytorch_lessons.kernel_startup`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

STARTUP = Path(__file__).with_name("kernel_startup.py")
SETTINGS = Path(__file__).with_name("lab_settings")


# The file browser's defaults, and for paired chapters their .ipynb half: each chapter is then one
# entry (its .md, opened as a notebook with the .ipynb's outputs) and runs in one kernel.
_HIDDEN = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~"]


def lab_command(
    folder: Path, app: str = "jupyterlab", paired: bool = False
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start ``app`` (``jupyterlab``, or ``jupyter_server``
    for a headless check) on ``folder`` the way the course needs it. ``paired``: the folder
    holds .md/.ipynb pairs (book/), listed once each."""
    hidden = [*_HIDDEN, "*.ipynb"] if paired else _HIDDEN
    argv = [
        sys.executable,
        "-m",
        app,
        f"--ServerApp.root_dir={Path(folder).resolve()}",
        f"--LabApp.app_settings_dir={SETTINGS}",
        f"--ContentsManager.hide_globs={json.dumps(hidden)}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        argv.append("--ServerApp.allow_root=True")
    return argv, {**os.environ, "PYTHONSTARTUP": str(STARTUP)}


CHAPTER = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def trust_chapters(folder: Path) -> list[Path]:
    """Sign the course's chapter notebooks in ``folder`` (``NN-name.ipynb``) as trusted, and
    return them.

    JupyterLab draws a stored widget (and any HTML output) only in a trusted notebook; a fresh
    clone's notebooks are not, because trust is a signature kept per user. These notebooks are
    the course's own, executed by ``make notebooks`` -- or the student edition made from them,
    with the outputs the student's own runs gave -- so the course trusts them when it opens
    them. Other notebooks in the folder are left alone.
    """
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    signed = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        if not CHAPTER.match(path.name):
            continue
        notebook = nbformat.read(path, as_version=4)
        if not notary.check_signature(notebook):
            notary.sign(notebook)
        signed.append(path)
    return signed


def run_lab(folder: Path, paired: bool = False) -> int:
    """Start JupyterLab on ``folder`` (its chapters trusted) and wait until it is stopped."""
    trust_chapters(folder)
    argv, env = lab_command(folder, paired=paired)
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0


@contextmanager
def headless_lab(
    folder: Path,
    work: Path,
    settings: Mapping[str, dict] | None = None,
    env: Mapping[str, str] | None = None,
    token: str = "lessons",
) -> Iterator[str]:
    """JupyterLab on ``folder`` for a scripted browser (tests, benchmarks); yields its base URL
    (append ``?token=<token>``). ``work`` holds its own Jupyter data folder -- where trust is
    kept: empty, as on a fresh clone, until :func:`trust_chapters` signs the chapters, as
    ``make lab`` does -- and user ``settings`` (``{"plugin-id.jupyterlab-settings": {...}}``)."""
    data, user = Path(work) / "data", Path(work) / "settings"
    for name, value in (settings or {}).items():
        path = user / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    old = os.environ.get("JUPYTER_DATA_DIR")
    os.environ["JUPYTER_DATA_DIR"] = str(data)
    try:
        trust_chapters(folder)
    finally:
        if old is None:
            os.environ.pop("JUPYTER_DATA_DIR")
        else:
            os.environ["JUPYTER_DATA_DIR"] = old
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv, base_env = lab_command(folder)
    argv += [
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--no-browser",
        f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={user}",
        f"--LabApp.workspaces_dir={Path(work) / 'workspaces'}",
    ]
    full_env = {**base_env, **(env or {}), "JUPYTER_DATA_DIR": str(data)}
    process = subprocess.Popen(
        argv, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # wait for the server to answer
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if process.poll() is not None:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"JupyterLab did not start: {stderr[-2000:]}") from None
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
