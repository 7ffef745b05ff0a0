"""How long a student waits after moving a widget's control, in a real JupyterLab.

    python benchmarks/widget_redraw.py [repeats]

Opens chapter 04's student edition in JupyterLab in headless Chromium and drives the
learning-rate explorer:

- **from data**: the slider moves (an ``input`` event); the time until the next frame is
  painted with the new curve -- what the stored state gives, with or without a kernel;
- **through the kernel**: after the chapter's first cells ran, a learning rate typed in; the time
  until PyTorch's run comes back from the kernel and is drawn.

Prints the median and the slowest of ``repeats`` tries each. Floors: from data <= 50 ms,
through the kernel <= 250 ms. A figure, not a test: a busy machine must not fail anything.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from pytorch_lessons.editions import write_student_edition
from pytorch_lessons.lab import headless_lab

BOOK = Path(__file__).resolve().parents[1] / "book"
FLOOR_DATA_MS, FLOOR_KERNEL_MS = 50.0, 250.0
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

# In the page: move the slider to position k, and resolve with the milliseconds until the frame
# after the redraw (two animation frames: the one that paints the change has then been shown).
MOVE = """([root, k]) => new Promise((resolve) => {
  const slider = root.querySelector("input[type=range]");
  const curve = root.querySelector("path.pl-curve");
  const before = curve.getAttribute("d");
  const start = performance.now();
  slider.value = String(k);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  const changed = curve.getAttribute("d") !== before;
  requestAnimationFrame(() => requestAnimationFrame(() =>
    resolve(changed ? performance.now() - start : -1)));
})"""
# Type a learning rate, press the button, resolve when PyTorch's answer is drawn.
ASK = """([root, lr]) => new Promise((resolve) => {
  const note = root.querySelector(".pl-note");
  const input = root.querySelector("input[type=number]");
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (note.textContent.includes("trained by PyTorch") && root.dataset.lr === String(lr)) {
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start));
    } else if (note.classList.contains("pl-error")) {
      observer.disconnect();
      resolve(-1);
    }
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  input.value = String(lr);
  root.querySelector("button").click();
})"""


def _report(name: str, times: list[float], floor: float) -> bool:
    median = statistics.median(times)
    verdict = "OK" if median <= floor else "OVER"
    print(f"{name:22s} median {median:7.1f} ms   slowest {max(times):7.1f} ms   "
          f"(floor {floor:.0f} ms) -> {verdict}")  # fmt: skip
    return median <= floor


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 20
    with tempfile.TemporaryDirectory() as work:
        workspace = Path(work) / "student"
        write_student_edition(BOOK, workspace)
        with headless_lab(workspace, Path(work), SETTINGS, {"PYTORCH_LESSONS_FAST": "1"}) as base:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/lab/tree/04-gradient-descent.ipynb?token=lessons")
                root = page.locator(".pl-lr-explorer")
                root.wait_for(timeout=120_000)
                handle = root.element_handle()
                top = int(root.locator("input[type=range]").get_attribute("max"))
                data = [page.evaluate(MOVE, [handle, (7 * i) % (top + 1)]) for i in range(repeats)]
                # run the cells up to the explorer's, so that its kernel side exists
                cells = page.locator(".jp-CodeCell")
                explorer_cell = next(
                    i
                    for i in range(cells.count())
                    if cells.nth(i).locator(".pl-lr-explorer").count()
                )
                cells.nth(explorer_cell).click()
                page.keyboard.press("Escape")
                page.get_by_text("Run", exact=True).first.click()
                page.get_by_text("Run All Above Selected Cell", exact=True).click()
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                    ".every(p => !p.textContent.includes('*'))",
                    timeout=240_000,
                )
                cells.nth(explorer_cell).click()
                page.keyboard.press("Escape")
                page.keyboard.press("Shift+Enter")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                    ".every(p => !p.textContent.includes('*'))",
                    timeout=240_000,
                )
                handle = page.locator(".pl-lr-explorer").element_handle()
                rates = [round(0.011 + 0.037 * i, 3) for i in range(repeats)]
                kernel = [page.evaluate(ASK, [handle, lr]) for lr in rates]
                browser.close()
    if min(data) < 0 or min(kernel) < 0:
        print("a redraw did not happen: the explorer is not working")
        return 1
    print(f"learning-rate explorer in JupyterLab, {repeats} tries each")
    _report("from data (slider)", data, FLOOR_DATA_MS)
    _report("through the kernel", kernel, FLOOR_KERNEL_MS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
