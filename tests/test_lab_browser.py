"""The widgets in a real JupyterLab, in Chromium: what a student sees on a fresh clone.

The student edition is opened the way ``make lab`` opens it (its chapters trusted, a fresh
Jupyter data folder: no signature from earlier runs) and **nothing is run**: the stored widget
must draw and answer its slider at once. Then Run All, and the widget is live with the kernel;
then save and reload, and it still draws.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytorch_lessons.editions import write_student_edition
from pytorch_lessons.lab import headless_lab

from .conftest import BOOK
from .test_site_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
TOKEN = "lessons-browser"
# JupyterLab 4 draws only the cells in view; the test reads cells far down the notebook, and
# the news prompt would cover part of the page.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("lab")
    workspace = root / "student"
    write_student_edition(BOOK, workspace)
    with headless_lab(workspace, root, SETTINGS, {"PYTORCH_LESSONS_FAST": "1"}, TOKEN) as base:
        yield base, workspace


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _explorer(page):
    root = page.locator(".pl-lr-explorer")
    root.wait_for(timeout=90_000)
    return root


def test_a_stored_widget_works_before_any_cell_runs_then_with_the_kernel_and_after_a_reload(
    lab, browser
):
    from playwright.sync_api import expect

    base, workspace = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base}/lab/tree/04-gradient-descent.ipynb?token={TOKEN}")

    # 1. nothing run: the stored state draws the widget, and the slider redraws it
    root = _explorer(page)
    expect(root).to_have_attribute("data-lr", "0.05")
    curve = root.locator("path.pl-curve")
    before = curve.get_attribute("d")
    slider = root.locator("input[type=range]")
    slider.fill(str(int(slider.get_attribute("max")) - 5))  # a drag to near the end
    expect(root).not_to_have_attribute("data-lr", "0.05")
    assert curve.get_attribute("d") != before
    # a learning rate typed in needs the kernel, and nothing ran yet: it says so
    root.locator("input[type=number]").fill("0.3")
    root.locator("button").click()
    expect(root.locator(".pl-note")).to_contain_text("run the cell", timeout=20_000)
    assert "Error displaying widget" not in page.content()

    # 2. Run All: the cell makes a new widget, with the kernel behind it
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Escape")
    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Run All Cells", exact=True).click()
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_visible(
        timeout=240_000
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
        ".every(p => !p.textContent.includes('*'))",
        timeout=240_000,
    )
    root = _explorer(page)
    root.locator("input[type=number]").fill("0.3")
    root.locator("button").click()
    expect(root.locator(".pl-note")).to_contain_text("trained by PyTorch", timeout=30_000)
    expect(root).to_have_attribute("data-lr", "0.3")

    # 3. save and reload: the widget still draws from what was saved
    page.get_by_text("File", exact=True).first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Save Notebook").first.click()
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    page.reload()
    root = _explorer(page)
    expect(root).to_have_attribute("data-lr", "0.05")
    assert "Error displaying widget" not in page.content()
    saved = json.loads((workspace / "04-gradient-descent.ipynb").read_text(encoding="utf-8"))
    assert saved["metadata"].get("widgets"), "the saved notebook keeps the widget state"
    assert not problems, problems
    page.close()


@pytest.mark.parametrize("chapter", ["06-cnn.ipynb", "07-mnist.ipynb"])
def test_every_stored_widget_of_a_chapter_draws_before_any_cell_runs(lab, browser, chapter):
    from playwright.sync_api import expect

    base, workspace = lab
    notebook = json.loads((workspace / chapter).read_text(encoding="utf-8"))
    models = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    stored = [m for m in models["state"].values() if m["model_module"] == "anywidget"]
    assert stored, f"{chapter} stores no widget"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base}/lab/tree/{chapter}?token={TOKEN}")
    # the open notebook's panel only: JupyterLab also restores the tabs opened before
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .pl-widget")
    expect(shown).to_have_count(len(stored), timeout=90_000)
    assert "Error displaying widget" not in page.content()
    assert not problems, problems
    page.close()
