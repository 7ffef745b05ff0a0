"""environment.yml (conda) and pyproject.toml (pip) must name the same packages."""

import re
import tomllib

import yaml

from .conftest import ROOT

CONDA_TO_PYPI = {"pytorch": "torch"}
NOT_PACKAGES = {"python", "pip"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    return names - {"pytorch-lessons"}


def _conda_packages() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            names |= {_name(r) for r in dependency.get("pip", [])}
        else:
            name = _name(dependency)
            names.add(CONDA_TO_PYPI.get(name, name))
    return names - NOT_PACKAGES


def test_environment_yml_and_pyproject_agree_on_the_packages():
    conda, pip = _conda_packages(), _pyproject_packages()
    assert conda == pip, (
        f"only in environment.yml: {sorted(conda - pip)}; only in pyproject: {sorted(pip - conda)}"
    )


def test_constraints_pin_the_tested_torch_pair():
    pins = dict(
        line.split("==")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    )
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    missing = _pyproject_packages() - {_name(name) for name in pins}
    assert missing == set(), f"constraints.txt does not pin {sorted(missing)}: run `make lock`"


def test_requires_python_is_what_the_tests_run_on_and_doctor_checks():
    """The project claims the oldest Python it is tested on: the one running this test (CI's)
    must satisfy it, and `doctor` and environment.yml must say the same."""
    import sys

    from pytorch_lessons.doctor import MINIMUM_PYTHON

    claim = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(part) for part in re.fullmatch(r">=(\d+)\.(\d+)", claim).groups())
    assert minimum == MINIMUM_PYTHON
    assert sys.version_info[:2] >= minimum
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert f"python={minimum[0]}.{minimum[1]}" in conda
