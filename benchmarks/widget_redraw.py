"""How long one widget update takes: what a student waits for after moving a slider.

    python benchmarks/widget_redraw.py [repeats]

Drives the update functions exactly as a slider does -- retrain, redraw, render the PNG the
browser shows -- with no browser. Prints the median and the slowest update, split into compute,
draw and render for the learning-rate explorer. Floor: the explorer's median <= 0.2 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

from pytorch_lessons.widgets.gd_playground import OPTIMIZERS, SURFACES, GdPlayground  # noqa: E402
from pytorch_lessons.widgets.lr_explorer import (  # noqa: E402
    DEFAULT_STEPS,
    LrExplorer,
    train_line,
)

FLOOR_S = 0.2
# log-spaced over the slider, both sides of divergence (about 1 for this data)
LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.9, 1.05, 1.5, 3.0)


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:7.1f}"


def explorer_rows(repeats: int) -> tuple[list[float], dict[str, list[float]]]:
    explorer = LrExplorer(steps=DEFAULT_STEPS)
    explorer.update(0.05)  # warm up: first-use imports and font caches
    totals: list[float] = []
    parts: dict[str, list[float]] = {"train": [], "draw": [], "render": []}
    for _ in range(repeats):
        for lr in LRS:
            start = time.perf_counter()
            explorer.update(lr)
            totals.append(time.perf_counter() - start)
            # the same update again, timed part by part
            t0 = time.perf_counter()
            run = train_line(lr, explorer.steps, explorer.x, explorer.y)
            t1 = time.perf_counter()
            explorer.picture.draw(run)
            t2 = time.perf_counter()
            explorer.picture.png()
            t3 = time.perf_counter()
            parts["train"].append(t1 - t0)
            parts["draw"].append(t2 - t1)
            parts["render"].append(t3 - t2)
    return totals, parts


def playground_rows(repeats: int) -> dict[str, list[float]]:
    playground = GdPlayground()
    rows: dict[str, list[float]] = {}
    for surface in SURFACES:
        playground.surface.value = surface  # one update, also the warm-up for this surface
        times = rows.setdefault(surface, [])
        for _ in range(repeats):
            for name in OPTIMIZERS:
                playground.optimizer.value = name  # no update when unchanged: time update() itself
                start = time.perf_counter()
                playground.update()
                times.append(time.perf_counter() - start)
    return rows


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs, {repeats} repeats\n")

    totals, parts = explorer_rows(repeats)
    print("learning-rate explorer (linear regression, 60 steps), per update in ms:")
    print("| part | median | max |")
    print("|---|---:|---:|")
    for name, values in parts.items():
        print(f"| {name} | {_ms(statistics.median(values))} | {_ms(max(values))} |")
    median = statistics.median(totals)
    print(f"| **whole update** | {_ms(median)} | {_ms(max(totals))} |")

    print("\ngradient-descent playground, per update in ms (all four optimizers):")
    print("| surface | steps | median | max |")
    print("|---|---:|---:|---:|")
    for surface, values in playground_rows(repeats).items():
        steps = SURFACES[surface].steps
        print(f"| {surface} | {steps} | {_ms(statistics.median(values))} | {_ms(max(values))} |")

    ok = median <= FLOOR_S
    print(
        f"\nexplorer median update: {median:.3f} s (floor: {FLOOR_S} s) -> {'OK' if ok else 'TOO SLOW'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
