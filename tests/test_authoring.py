import nbformat
import pytest

from pytorch_lessons.authoring import execute, main, out_of_sync, stated_run_times

CHAPTER = """---
jupytext:
  formats: ipynb,md:myst
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A tiny chapter

```{code-cell} ipython3
print(6 * 7)
```
"""


@pytest.mark.notebooks  # runs a kernel
def test_execute_writes_an_executed_pair_that_is_in_sync(tmp_path, capsys):
    source = tmp_path / "01-tiny.md"
    source.write_text(CHAPTER)
    assert out_of_sync(source) == "01-tiny.ipynb is missing: run `make notebooks`"
    assert main(["execute", str(source)]) == 0
    assert "executed in" in capsys.readouterr().out
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert notebook.cells[1].outputs[0].text == "42\n"
    assert "execution" not in notebook.cells[1].metadata
    assert out_of_sync(source) is None
    assert main(["check", str(tmp_path)]) == 0


@pytest.mark.notebooks  # runs a kernel
def test_an_edited_source_is_reported_out_of_sync(tmp_path, capsys):
    source = tmp_path / "01-tiny.md"
    source.write_text(CHAPTER)
    execute(source)
    source.write_text(CHAPTER.replace("6 * 7", "6 * 8"))
    assert out_of_sync(source) == "cell 2 differs between 01-tiny.md and 01-tiny.ipynb"
    source.write_text(CHAPTER + "\nMore prose.\n\n```{code-cell} ipython3\n1\n```\n")
    assert out_of_sync(source) == "01-tiny.md has 4 cells, 01-tiny.ipynb has 2"
    assert main(["check", str(tmp_path)]) == 1
    assert "01-tiny.md has 4 cells" in capsys.readouterr().out


def test_execute_rejects_what_is_not_a_chapter_source(tmp_path, capsys):
    assert main(["execute", str(tmp_path / "missing.md")]) == 2
    assert "is not a chapter source" in capsys.readouterr().err


@pytest.mark.notebooks  # runs a kernel
def test_re_executing_an_unchanged_chapter_rewrites_the_same_cell_ids(tmp_path):
    source = tmp_path / "01-tiny.md"
    source.write_text(CHAPTER)
    execute(source)
    first = [c.id for c in nbformat.read(source.with_suffix(".ipynb"), as_version=4).cells]
    execute(source)
    assert [c.id for c in nbformat.read(source.with_suffix(".ipynb"), as_version=4).cells] == first
    assert len(set(first)) == len(first)


def test_stated_run_times_reads_both_figures_across_line_breaks():
    text = (
        "The whole chapter takes about 40 s top\nto bottom on a laptop, and about 14 s in\n"
        "instructor fast mode."
    )
    assert stated_run_times(text) == (40, 14)
    assert stated_run_times("It takes about 40 s top to bottom.") is None


def test_pinned_isa_on_avx2_machines_only_and_never_over_the_callers_choice(monkeypatch):
    import torch

    from pytorch_lessons.authoring import PINNED_ISA, pinned_isa

    assert pinned_isa({"ATEN_CPU_CAPABILITY": "default"}) == {}
    assert pinned_isa({"ONEDNN_MAX_CPU_ISA": "SSE41"}) == {}
    for capability, expected in [("AVX512", PINNED_ISA), ("AVX2", PINNED_ISA), ("DEFAULT", {})]:
        monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda c=capability: c)
        assert pinned_isa({}) == expected


@pytest.mark.notebooks  # runs a kernel
def test_execute_runs_the_kernel_with_the_pinned_isa(tmp_path, monkeypatch):
    monkeypatch.setattr("pytorch_lessons.authoring.pinned_isa", lambda: {"PL_PROBE": "pinned"})
    source = tmp_path / "01-tiny.md"
    source.write_text(CHAPTER.replace("print(6 * 7)", "import os; print(os.environ['PL_PROBE'])"))
    execute(source)
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert notebook.cells[1].outputs[0].text == "pinned\n"


@pytest.mark.notebooks  # runs a kernel
def test_tolerance_kinds_must_agree_between_the_pair(tmp_path):
    source = tmp_path / "01-tiny.md"
    source.write_text(CHAPTER)
    execute(source)
    source.write_text(
        CHAPTER.replace("```{code-cell} ipython3\n", "```{code-cell} ipython3\n:tolerance: [fit]\n")
    )
    assert out_of_sync(source) == "cell 2 differs between 01-tiny.md and 01-tiny.ipynb"


def test_streams_are_stored_as_one_output_each_with_carriage_returns_applied():
    from pytorch_lessons.authoring import coalesce_streams

    out = nbformat.v4.new_output
    outputs = [
        out("stream", name="stdout", text="\rtraining:   0%| 0/3"),
        out("display_data", data={"text/plain": "<Figure>"}),
        out("stream", name="stdout", text="\rtraining: 100%| 3/3\n"),
        out("stream", name="stderr", text="warning\n"),
        out("stream", name="stdout", text="done\n"),
    ]
    merged = coalesce_streams(outputs)
    assert [o.output_type for o in merged] == ["stream", "display_data", "stream"]
    assert merged[0].text == "training: 100%| 3/3\ndone\n" and merged[2].text == "warning\n"


def test_stored_pictures_are_palette_pngs_when_that_is_smaller():
    import base64
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from pytorch_lessons.authoring import shrink_images

    figure = Figure(figsize=(3, 2), dpi=80)
    figure.add_subplot().plot([0, 1, 0.5])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    png = base64.b64encode(buffer.getvalue()).decode()
    out = nbformat.v4.new_output
    outputs = shrink_images(
        [
            out("display_data", data={"image/png": png}),
            out("display_data", data={"text/html": f'<img src="data:image/png;base64,{png}">'}),
        ]
    )
    shrunk = outputs[0].data["image/png"]
    assert len(shrunk) < len(png)
    assert Image.open(io.BytesIO(base64.b64decode(shrunk))).mode == "P"  # a palette of 128 colours
    assert outputs[1].data["text/html"] == f'<img src="data:image/png;base64,{shrunk}">'
