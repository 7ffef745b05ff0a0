"""``pytorch-lessons doctor``: is this machine ready for the course? One line per check."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Finding:
    """One line of the report: ``ok`` or a problem with its fix."""

    ok: bool
    what: str
    fix: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"  OK       {self.what}"
        return f"  PROBLEM  {self.what}\n           fix: {self.fix}"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


MINIMUM_PYTHON = (3, 11)  # pyproject.toml's requires-python: what the tests run on


def check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if tuple(sys.version_info[:2]) >= MINIMUM_PYTHON:
        return Finding(True, f"Python {version}")
    needed = ".".join(map(str, MINIMUM_PYTHON))
    return Finding(False, f"Python {version} is too old", f"use Python {needed} or newer")


def check_import(module: str, distribution: str) -> Finding:
    """The package imports (a broken torch/torchvision pair fails here, not in a lesson)."""
    try:
        importlib.import_module(module)
    except Exception as error:  # ImportError, or a broken binary raising something else
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Finding(
            False,
            f"{distribution} does not import: {first}",
            "reinstall with `make install` (it uses the tested versions in constraints.txt)",
        )
    return Finding(True, f"{distribution} {_version(distribution) or '(version unknown)'}")


def check_widgets() -> Finding:
    widgets, lab, front_end = (
        _version("ipywidgets"),
        _version("jupyterlab"),
        _version("jupyterlab_widgets"),
    )
    if widgets is None or front_end is None:
        return Finding(
            False,
            "ipywidgets or its JupyterLab front-end (jupyterlab_widgets) is missing",
            "pip install ipywidgets (then restart JupyterLab)",
        )
    anywidget = _version("anywidget")
    if anywidget is None:  # every widget of the book is an anywidget module
        return Finding(
            False,
            "anywidget is missing: the book's widgets will not draw",
            "pip install anywidget (then restart JupyterLab)",
        )
    lab_text = (
        f", JupyterLab {lab}" if lab else " (JupyterLab not installed: `pip install jupyterlab`)"
    )
    return Finding(
        True, f"ipywidgets {widgets} with front-end {front_end}, anywidget {anywidget}{lab_text}"
    )


def check_device() -> Finding:
    from pytorch_lessons.device import pick_device

    try:
        device = pick_device()
    except (RuntimeError, ValueError) as error:
        return Finding(
            False, f"device: {error}", "unset PYTORCH_LESSONS_DEVICE or name an available device"
        )
    note = "" if device.type != "cpu" else " (no GPU found: every lesson runs on the CPU)"
    return Finding(True, f"device: {device}{note}")


def check_data() -> list[Finding]:
    from pytorch_lessons.data import DATA_VARIABLE, data_root, mnist_raw_folder, verify_mnist

    folder = data_root()
    source = f"from ${DATA_VARIABLE}" if os.environ.get(DATA_VARIABLE) else "the default"
    findings = [Finding(True, f"data folder: {folder} ({source})")]
    status = verify_mnist(folder)
    if all(state == "ok" for state in status.values()):
        findings.append(Finding(True, "MNIST: all 4 files present and verified (MD5)"))
        return findings
    if all(state == "missing" for state in status.values()):
        problems = "not downloaded yet"
    else:
        problems = ", ".join(f"{name} {state}" for name, state in status.items() if state != "ok")
    writable = _writable(folder)
    fix = (
        "run `pytorch-lessons data fetch` while online"
        if writable
        else f"the folder is not writable: set {DATA_VARIABLE} to a writable folder, then fetch"
    )
    findings.append(Finding(False, f"MNIST in {mnist_raw_folder(folder)}: {problems}", fix))
    return findings


def _writable(folder) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return os.access(probe, os.W_OK)


def run() -> list[Finding]:
    """Every check, in the order they are printed."""
    findings = [
        check_python(),
        check_import("torch", "torch"),
        check_import("torchvision", "torchvision"),
        check_import("matplotlib", "matplotlib"),
        check_widgets(),
    ]
    if findings[1].ok:
        findings.append(check_device())
    if findings[1].ok and findings[2].ok:
        findings.extend(check_data())
    return findings
