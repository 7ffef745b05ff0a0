"""The repository stays repo2docker-ready, so a JupyterHub or Binder can launch the book."""

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_repo2docker_accepts_the_repository_and_uses_environment_yml():
    command = Path(sys.executable).parent / "jupyter-repo2docker"
    assert command.exists() or shutil.which("jupyter-repo2docker"), (
        "jupyter-repo2docker is not installed"
    )
    result = subprocess.run(
        [str(command), "--no-build", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout
    assert '--file "environment.yml"' in dockerfile  # the conda environment is what gets built
    assert "postBuild" in dockerfile  # and the package is installed after the repo is copied
