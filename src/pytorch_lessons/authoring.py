"""Authoring tools: execute chapter sources into paired notebooks, and check the pairs agree.

A chapter is a MyST Markdown notebook ``book/NN-name.md`` (what authors edit) paired with
``book/NN-name.ipynb`` (the same cells with executed outputs: what students open, what nbval
checks and what the site shows). Run ``python -m pytorch_lessons.authoring execute book/*.md``
after editing a chapter, and ``... check book`` to find pairs that drifted apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

NOTEBOOK_METADATA_FILTER = "kernelspec,jupytext,-jupytext.text_representation.jupytext_version"
_VOLATILE_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")

# How a chapter tells its readers how long it runs, e.g. "The whole chapter takes about 40 s top
# to bottom on a 2-core laptop CPU, and about 14 s in instructor fast mode."
_RUN_TIMES = re.compile(
    r"about\s+(\d+)\s+s\s+top\s+to\s+bottom.*?about\s+(\d+)\s+s\s+in\s+instructor\s+fast\s+mode",
    re.S,
)


# The instruction set the stored outputs are made with, on x86 CPUs that have it (AVX-512 ones
# too). Float32 training results depend on it; pinning it keeps exact outputs exact between
# x86 machines. Elsewhere (Arm, old x86) the tolerances in book/nbval-tolerances.toml apply.
PINNED_ISA = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def pinned_isa(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables to set so kernels compute with :data:`PINNED_ISA`: empty when the CPU
    lacks AVX2, or when either variable is already set (the caller's choice wins)."""
    if any(name in environ for name in PINNED_ISA):
        return {}
    import torch

    has_avx2 = torch.backends.cpu.get_cpu_capability() in {"AVX2", "AVX512"}
    return dict(PINNED_ISA) if has_avx2 else {}


_OVERWRITTEN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)  # a line rewritten after "\r"


def coalesce_streams(outputs: list) -> list:
    """A cell's outputs with each stream (stdout, stderr) as one output and carriage returns
    applied, as nbval compares them: a progress bar is stored as its final line, not as the
    hundreds of updates the kernel sent."""
    merged: list = []
    first: dict[str, Any] = {}
    for output in outputs:
        if output.get("output_type") == "stream":
            if output["name"] in first:
                first[output["name"]]["text"] += output["text"]
                continue
            first[output["name"]] = output
        merged.append(output)
    for output in first.values():
        output["text"] = _OVERWRITTEN.sub("", output["text"])
    return merged


_EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def smaller_png(encoded: str) -> str:
    """The base64 PNG ``encoded`` as a 128-colour palette PNG, when that is smaller. Plots have
    few colours, so they look the same at a third of the bytes: students clone and diff the
    stored notebooks, and the site embeds them."""
    import base64
    import io

    from PIL import Image

    raw = base64.b64decode(encoded)
    image = Image.open(io.BytesIO(raw)).convert("RGBA")
    buffer = io.BytesIO()
    image.quantize(128, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG", optimize=True)
    return (
        base64.b64encode(buffer.getvalue()).decode("ascii") if buffer.tell() < len(raw) else encoded
    )


def shrink_images(outputs: list) -> list:
    """``outputs`` with every PNG -- a figure, or frames embedded in a static widget's HTML --
    stored as :func:`smaller_png`."""
    for output in outputs:
        data = output.get("data", {})
        if "image/png" in data:
            data["image/png"] = smaller_png("".join(data["image/png"]).replace("\n", ""))
        if "text/html" in data:
            html = "".join(data["text/html"])
            data["text/html"] = _EMBEDDED_PNG.sub(
                lambda found: f"data:image/png;base64,{smaller_png(found.group(1))}", html
            )
    return outputs


def stated_run_times(text: str) -> tuple[int, int] | None:
    """The (normal, fast-mode) seconds a chapter's text states, or None if it states none."""
    found = _RUN_TIMES.search(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _cells(notebook) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """What must agree between a pair: each cell's type, source, tags and tolerance kinds."""
    return [
        (
            cell.cell_type,
            cell.source.strip(),
            tuple(cell.get("metadata", {}).get("tags", ())),
            tuple(cell.get("metadata", {}).get("tolerance", ())),
        )
        for cell in notebook.cells
    ]


def out_of_sync(source: Path) -> str | None:
    """Why ``source`` (a .md chapter) and its .ipynb differ, or None when they agree."""
    import jupytext
    import nbformat

    paired = source.with_suffix(".ipynb")
    if not paired.exists():
        return f"{paired.name} is missing: run `make notebooks`"
    text_cells = _cells(jupytext.read(source))
    notebook_cells = _cells(nbformat.read(paired, as_version=4))
    if len(text_cells) != len(notebook_cells):
        return f"{source.name} has {len(text_cells)} cells, {paired.name} has {len(notebook_cells)}"
    for number, (a, b) in enumerate(zip(text_cells, notebook_cells, strict=True), start=1):
        if a != b:
            return f"cell {number} differs between {source.name} and {paired.name}"
    return None


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def keep_displayed_widgets(notebook: Any) -> None:
    """Keep in the notebook's stored widget state only the widgets its outputs show, and the
    models they refer to (``"IPY_MODEL_<id>"``, e.g. a layout): that state is what lets a
    widget work before any cell runs, in JupyterLab and on the site. Nothing shown: no state."""
    stored = (notebook.metadata.get("widgets") or {}).get(WIDGET_STATE) or {}
    models = stored.get("state") or {}
    wanted = [
        str(output["data"][WIDGET_VIEW].get("model_id"))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    kept: dict[str, Any] = {}
    while wanted:
        model_id = wanted.pop()
        if model_id in kept or model_id not in models:
            continue
        kept[model_id] = models[model_id]
        text = json.dumps(models[model_id].get("state", {}))
        wanted.extend(re.findall(r"IPY_MODEL_([0-9a-f]+)", text))
    if kept:
        notebook.metadata["widgets"] = {WIDGET_STATE: {**stored, "state": kept}}
    else:
        notebook.metadata.pop("widgets", None)


# Models that a chapter trains and a student who falls behind can load instead
# (:mod:`pytorch_lessons.checkpoints`): chapter -> code run in its kernel after its last cell.
SAVE_AFTER = {
    "07-mnist": "from pytorch_lessons.checkpoints import save_checkpoint\n"
    'print(save_checkpoint("mnist-cnn", model))',
}


def execute(source: Path, timeout: int = 600) -> float:
    """Execute a .md chapter in a fresh kernel and write its paired .ipynb; return the seconds taken."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    from pytorch_lessons.editions import is_solution_cell

    notebook = jupytext.read(source)
    # The pairing, as JupyterLab's jupytext writes it back: saving in JupyterLab changes nothing.
    # The filters keep jupytext's version and the cells' view state out of the .md.
    notebook.metadata["jupytext"] = {
        "cell_metadata_filter": "-jupyter",
        "default_lexer": "ipython3",
        "formats": "ipynb,md:myst",
        "notebook_metadata_filter": NOTEBOOK_METADATA_FILTER,
    }
    for cell in notebook.cells:
        if is_solution_cell(cell):  # collapsed in JupyterLab: projecting a chapter spoils nothing
            hidden = {"source_hidden": True}
            cell.metadata["jupyter"] = (
                {**hidden, "outputs_hidden": True} if cell.cell_type == "code" else hidden
            )
    for number, cell in enumerate(notebook.cells):
        # ids from position and content: re-executing an unchanged chapter rewrites nothing
        digest = hashlib.sha1(f"{number}:{cell.source}".encode()).hexdigest()[:12]
        cell.id = f"c{number:03d}-{digest}"
    save_after = SAVE_AFTER.get(source.stem)
    if save_after:  # run last, then removed: the stored notebook does not show it
        notebook.cells.append(nbformat.v4.new_code_cell(save_after, id="save-checkpoint"))
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
        store_widget_state=True,
    ).execute(env={**os.environ, **pinned_isa()})
    elapsed = time.perf_counter() - start
    if save_after:
        saved = notebook.cells.pop()
        errors = [o for o in saved.outputs if o.get("output_type") == "error"]
        if errors:
            raise RuntimeError(
                f"{source.name}: saving its checkpoint failed: {errors[0].get('evalue')}"
            )
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = shrink_images(coalesce_streams(cell.outputs))
        for key in _VOLATILE_METADATA:
            cell.metadata.pop(key, None)
    keep_displayed_widgets(notebook)
    nbformat.write(notebook, source.with_suffix(".ipynb"))
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytorch_lessons.authoring", description=__doc__
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute chapters and write their .ipynb pairs")
    run.add_argument("sources", nargs="+", type=Path)
    check = commands.add_parser("check", help="report chapters whose .md and .ipynb differ")
    check.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "execute":
        for source in args.sources:
            if source.suffix != ".md" or not source.is_file():
                print(f"error: {source} is not a chapter source (.md file)", file=sys.stderr)
                return 2
            print(f"{source}: executed in {execute(source):.1f} s", flush=True)
        return 0
    problems = [p for p in (out_of_sync(s) for s in sorted(args.folder.glob("[0-9]*.md"))) if p]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
