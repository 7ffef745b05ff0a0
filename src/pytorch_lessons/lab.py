"""JupyterLab on the course: the student workspace, or the instructor's book.

``pytorch-lessons lab`` (``make lab``) opens ``student/``: the student edition, made or
refreshed first from ``book/`` -- no solutions at all, and a notebook the student has edited is
kept as it is. ``pytorch-lessons lab --instructor`` opens ``book/`` itself, where every solution
is collapsed until clicked. Either way kernels start with the out-of-order hint
(:mod:`pytorch_lessons.kernel_startup`), and a chapter's ``.md`` opens as a notebook on
double-click (``lab_settings/overrides.json``), paired with its ``.ipynb`` by jupytext.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

STARTUP = Path(__file__).with_name("kernel_startup.py")
SETTINGS = Path(__file__).with_name("lab_settings")


def lab_command(folder: Path, app: str = "jupyterlab") -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start ``app`` (``jupyterlab``, or ``jupyter_server``
    for a headless check) on ``folder`` the way the course needs it."""
    argv = [
        sys.executable,
        "-m",
        app,
        f"--ServerApp.root_dir={Path(folder).resolve()}",
        f"--LabApp.app_settings_dir={SETTINGS}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        argv.append("--ServerApp.allow_root=True")
    return argv, {**os.environ, "PYTHONSTARTUP": str(STARTUP)}


def run_lab(folder: Path) -> int:
    """Start JupyterLab on ``folder`` and wait until it is stopped (Ctrl-C)."""
    argv, env = lab_command(folder)
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0
