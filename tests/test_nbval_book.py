"""The notebook comparison itself (tests/nbval_book.py): exact where it must be, training numbers
within their stated tolerance, and every cell run twice."""

from __future__ import annotations

import math
import re

import nbformat
import pytest

from .conftest import BOOK, ROOT
from .nbval_book import Kind, compare_within, load_kinds, moved_within

KINDS = load_kinds()


def _kind(within: float = 0.0, relative: float = 0.0) -> Kind:
    return Kind("n", re.compile(r"n=(?P<value>-?\d+(?:\.\d+)?)"), within, relative, "a test")


def test_numbers_of_a_kind_compare_within_its_tolerance_and_the_rest_exactly():
    accuracy = [KINDS["accuracy"]]
    stored = "test accuracy: 99.2% (>= 99 %: True)"
    assert compare_within(stored, "test accuracy: 99.4% (>= 99 %: True)", accuracy) == []
    outside = compare_within(stored, "test accuracy: 98.2% (>= 99 %: True)", accuracy)
    assert len(outside) == 1 and "stored 99.2, executed 98.2" in outside[0]
    # the verdict next to the number is not a number of the kind: it is compared exactly
    words = compare_within(stored, "test accuracy: 99.2% (>= 99 %: False)", accuracy)
    assert words and "text differs" in words[0]
    # a number the kind's pattern does not find is compared exactly
    assert compare_within("after 300 steps: 1.0%", "after 301 steps: 1.0%", [_kind(5)])


def test_the_limit_adds_one_unit_of_the_last_printed_digit():
    kind = _kind(within=0.5)
    assert math.isclose(kind.limit("99.2"), 0.6) and math.isclose(kind.limit("78"), 1.5)
    assert compare_within("n=78", "n=79", [kind]) == []
    assert compare_within("n=78", "n=80", [kind])
    relative = _kind(relative=0.001)
    assert compare_within("n=0.2861", "n=0.2864", [relative]) == []  # 0.000286 + 0.0001
    assert compare_within("n=0.2861", "n=0.2865", [relative])


def test_moved_within_lists_only_what_moved():
    assert moved_within("n=1 n=2", "n=1 n=3", [_kind(5)]) == ["n 2 -> 3"]


def test_every_kind_is_used_by_the_book_and_says_why():
    used = set()
    for notebook in BOOK.glob("[0-9]*.ipynb"):
        for cell in nbformat.read(notebook, as_version=4).cells:
            used |= set(cell.metadata.get("tolerance", []))
    assert used <= set(KINDS), f"unknown kinds {used - set(KINDS)}"
    assert set(KINDS) <= used, f"kinds no cell uses: {set(KINDS) - used}"
    assert all(len(kind.why) > 40 for kind in KINDS.values())


def test_a_kind_must_have_a_value_group_a_size_and_a_reason(tmp_path):
    path = tmp_path / "t.toml"
    for body, message in [
        ("[k]\npattern = 'x'\nwithin = 1\nwhy = 'w'", "value"),
        ("[k]\npattern = '(?P<value>x)'\nwhy = 'w'", "within"),
        ("[k]\npattern = '(?P<value>x)'\nwithin = -1\nwhy = 'w'", "within"),
        ("[k]\npattern = '(?P<value>x)'\nwithin = 1", "why"),
    ]:
        path.write_text(body)
        with pytest.raises(ValueError, match=message):
            load_kinds(path)


# ---------------------------------------------------------------- through nbval, in a kernel


def _notebook(path, source: str, stored: str, tolerance: list[str]) -> None:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    if tolerance:
        cell.metadata["tolerance"] = tolerance
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def _nbval(pytester: pytest.Pytester, name: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p",
        "tests.nbval_book",
        "--nbval",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(pytester.path),
        name,
    )


@pytest.mark.notebooks
def test_nbval_passes_a_number_within_tolerance_and_fails_one_outside(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    stored = "test accuracy: 99.2% (>= 99 %: True)\n"
    for name, printed, tolerance, outcome in [
        ("within.ipynb", "99.4", ["accuracy"], {"passed": 1}),
        ("outside.ipynb", "98.0", ["accuracy"], {"failed": 1}),
        ("exact.ipynb", "99.4", [], {"failed": 1}),  # no tolerance: compared exactly
    ]:
        source = f'print("test accuracy: {printed}% (>= 99 %: True)")'
        _notebook(pytester.path / name, source, stored, tolerance)
        result = _nbval(pytester, name)
        result.assert_outcomes(**outcome)
        if name == "within.ipynb":
            result.stdout.fnmatch_lines(["*numbers that moved*", "*accuracy 99.2 -> 99.4*"])
        if name == "outside.ipynb":
            result.stdout.fnmatch_lines(["*accuracy: stored 99.2, executed 98.0 -- outside*"])


@pytest.mark.notebooks
def test_nbval_runs_every_cell_twice(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    source = "runs = globals().get('runs', 0) + 1\nprint(runs)"
    _notebook(pytester.path / "twice.ipynb", source, "1\n", [])
    result = _nbval(pytester, "twice.ipynb")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*SECOND of two runs*"])
