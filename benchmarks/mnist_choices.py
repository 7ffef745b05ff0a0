"""Chapter 07's choices for the CNN, measured on validation: the figures its prose quotes.

    python benchmarks/mnist_choices.py [--steps 300] [--threads N]

Trains Chapter 07's recipe -- ``MnistCNN`` in ``channels_last``, Adam with a one-cycle schedule
(max_lr 0.02), label smoothing 0.1, 300 steps of 256 digits, the same 55 000 / 5 000 split and
the same per-epoch shuffles -- and three variants of it: without label smoothing, with the
chapter's batch augmentation (``random_affine``), and with ``AdamW(weight_decay=0.01)``. Each
is measured on the 5 000 validation digits only (the test set is not touched), and printed as
accuracy, number of mistakes and one standard error sqrt(p(1 - p) / n). The chapter's ``fit``
keeps the best of 10 rounds; here the weights after the last step are measured (in the chapter
the last round was the best). Reads MNIST from $PYTORCH_LESSONS_DATA.
"""

from __future__ import annotations

import argparse
import math
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import random_split

from pytorch_lessons import set_seed
from pytorch_lessons.data import MNIST_MEAN, MNIST_STD, mnist_tensors
from pytorch_lessons.models import MnistCNN


def random_affine(
    images: torch.Tensor,
    generator: torch.Generator,
    degrees: float = 10,
    shift: float = 0.1,
    zoom: float = 0.1,
) -> torch.Tensor:
    """Chapter 07's augmentation: rotate, shift and zoom every image by its own random amount."""
    n = len(images)

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=generator).to(images.device) * 2 - 1

    angle = uniform(n) * math.radians(degrees)
    scale = 1 + uniform(n) * zoom
    move = uniform(n, 2) * shift * 2
    cos, sin = angle.cos() / scale, angle.sin() / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, move[:, 0]], dim=1), torch.stack([sin, cos, move[:, 1]], dim=1)],
        dim=1,
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    black = -MNIST_MEAN / MNIST_STD
    return F.grid_sample(images - black, grid, align_corners=False) + black


def train_and_validate(
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    steps: int,
    label_smoothing: float = 0.1,
    augment: bool = False,
    weight_decay: float = 0.0,
    batch_size: int = 256,
) -> int:
    """Train the chapter's recipe with one change; return the number of validation mistakes."""
    set_seed(0)
    model = MnistCNN().to(memory_format=torch.channels_last)
    if weight_decay:
        optimizer: torch.optim.Optimizer = torch.optim.AdamW(
            model.parameters(), lr=0.02, weight_decay=weight_decay
        )
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.02, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    generator = torch.Generator().manual_seed(0)
    per_epoch = math.ceil(len(x) / batch_size)
    model.train()
    for step in range(steps):
        epoch, batch = divmod(step, per_epoch)
        if batch == 0:
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
        index = order[batch * batch_size : (batch + 1) * batch_size]
        xb, yb = x[index], y[index]
        if augment:
            xb = random_affine(xb, generator)
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        predictions = torch.cat(
            [model(x_val[i : i + 1000]).argmax(1) for i in range(0, len(x_val), 1000)]
        )
    return int((predictions != y_val).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, labels = mnist_tensors(train=True)
    train_part, val_part = random_split(
        range(len(labels)), [55_000, 5_000], generator=torch.Generator().manual_seed(0)
    )
    x = images[train_part.indices].contiguous(memory_format=torch.channels_last)
    y = labels[train_part.indices]
    x_val, y_val = images[val_part.indices], labels[val_part.indices]
    settings = {
        "recipe (label smoothing 0.1)": {},
        "without label smoothing": {"label_smoothing": 0.0},
        "recipe + augmentation": {"augment": True},
        "recipe + AdamW(weight_decay=0.01)": {"weight_decay": 0.01},
    }
    n = len(y_val)
    print(f"| setting | validation accuracy | mistakes of {n} | ± 1 s.e. | seconds |")
    print("|---|---|---|---|---|")
    for name, options in settings.items():
        start = time.perf_counter()
        mistakes = train_and_validate(x, y, x_val, y_val, args.steps, **options)
        p = 1 - mistakes / n
        se = math.sqrt(p * (1 - p) / n)
        print(
            f"| {name} | {p:.2%} | {mistakes} | ±{se:.2%} ({se * n:.0f} digits) "
            f"| {time.perf_counter() - start:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
