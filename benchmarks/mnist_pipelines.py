"""Time to 99 % MNIST test accuracy: the classic DataLoader pipeline against Chapter 07's.

    python benchmarks/mnist_pipelines.py [--cap EPOCHS] [--seeds 0 1 2] [--steps 300]
        [--skip-classic] [--threads N]

Both pipelines run in one process, one after the other, on the same machine:

(a) classic -- the pipeline of many tutorials: ``torchvision.datasets.MNIST`` with per-sample
    ``ToTensor`` + ``Normalize``, ``DataLoader(batch_size=100, shuffle=True)``, a CNN
    conv(1→32, 3) → conv(32→64, 3) → max-pool → dropout → fc(9216→128) → dropout → fc(128→10),
    ``SGD(lr=0.01, momentum=0.9)``; epochs until 99 % test accuracy or ``--cap`` epochs.
(b) book -- Chapter 07: the whole split as one normalized tensor (``mnist_tensors``), the compact
    ``MnistCNN`` in ``channels_last``, fused Adam with a one-cycle schedule, label smoothing 0.1,
    300 steps of 256 digits (1.3 epochs); once per seed in ``--seeds``, to show the 99 % holds
    across seeds.

Every time includes loading the data and evaluating on the 10 000 test digits. What any first
training in a fresh process pays once -- importing torchvision and torch._dynamo (which
``torch.optim`` loads), and oneDNN compiling its convolution kernels -- is paid by a short warm-up
before either pipeline is timed, and printed on its own. Prints a Markdown table and the ratio
(a)/(b) -- a lower bound when (a) did not reach 99 % within its cap.
Floors: (b) >= 99.0 % in <= 20 s; ratio >= 8x. Reads MNIST from $PYTORCH_LESSONS_DATA.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from pytorch_lessons import set_seed
from pytorch_lessons.data import MNIST_MEAN, MNIST_STD, load_mnist, mnist_tensors
from pytorch_lessons.models import MnistCNN

TARGET = 0.99
FLOOR_SECONDS = 20.0
FLOOR_RATIO = 8.0


@dataclass
class Row:
    name: str
    epochs: float
    seconds: float
    accuracy: float
    time_to_target: float | None  # None: not reached


class ClassicNet(nn.Module):
    """The classic tutorial CNN (two 3×3 convolutions, max-pool, dropout, two linear layers)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout1(x).flatten(1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return self.fc2(x)


def classic(cap: int, seed: int = 0) -> Row:
    """Pipeline (a): DataLoader with per-sample transforms, SGD, up to ``cap`` epochs."""
    from torch.utils.data import DataLoader
    from torchvision import transforms

    set_seed(seed)
    start = time.perf_counter()
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))]
    )
    train = DataLoader(
        load_mnist(train=True, transform=transform),
        batch_size=100,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    test = DataLoader(load_mnist(train=False, transform=transform), batch_size=1000)
    model = ClassicNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    accuracy, reached = 0.0, None
    for epoch in range(1, cap + 1):
        model.train()
        for xb, yb in train:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in test:
                correct += (model(xb).argmax(dim=1) == yb).sum().item()
        accuracy = correct / len(test.dataset)
        elapsed = time.perf_counter() - start
        print(f"  (a) epoch {epoch}: {accuracy:.2%} after {elapsed:.1f} s", flush=True)
        if accuracy >= TARGET:
            reached = elapsed
            break
    return Row(
        "(a) classic: DataLoader + per-sample transforms, SGD", epoch, elapsed, accuracy, reached
    )


def book(seed: int = 0, steps: int = 300) -> Row:
    """Pipeline (b): Chapter 07's -- in-memory tensors, MnistCNN in channels_last, fused Adam +
    OneCycleLR, label smoothing, 300 steps of 256 digits (1.3 epochs)."""
    set_seed(seed)
    start = time.perf_counter()
    x_train, y_train = mnist_tensors(train=True)
    x_test, y_test = mnist_tensors(train=False)
    x_train = x_train.contiguous(memory_format=torch.channels_last)
    x_test = x_test.contiguous(memory_format=torch.channels_last)
    model = MnistCNN().to(memory_format=torch.channels_last)
    batch_size = 256
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02, fused=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.02, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    model.train()
    generator = torch.Generator().manual_seed(seed)
    step = 0
    while step < steps:
        order = torch.randperm(len(x_train), generator=generator)
        for index in order[: (steps - step) * batch_size].split(batch_size):
            loss = loss_fn(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
    model.eval()
    correct = 0
    with torch.no_grad():
        for begin in range(0, len(x_test), 1000):
            logits = model(x_test[begin : begin + 1000])
            correct += (logits.argmax(dim=1) == y_test[begin : begin + 1000]).sum().item()
    accuracy = correct / len(x_test)
    elapsed = time.perf_counter() - start
    print(f"  (b) seed {seed}: {accuracy:.2%} after {elapsed:.1f} s", flush=True)
    reached = elapsed if accuracy >= TARGET else None
    epochs = steps * batch_size / len(x_train)
    return Row(
        f"(b) book: in-memory tensors, MnistCNN, {steps} steps (seed {seed})",
        epochs,
        elapsed,
        accuracy,
        reached,
    )


def warm_up() -> float:
    """Pay the once-per-process costs before timing: the imports that the first dataset and the
    first optimizer trigger, and oneDNN's kernel compilation for both models' layer shapes."""
    start = time.perf_counter()
    load_mnist(train=False)  # imports torchvision
    for model, batch in (
        (MnistCNN().to(memory_format=torch.channels_last), 256),
        (ClassicNet(), 100),
    ):
        x = torch.randn(batch, 1, 28, 28)
        if isinstance(model, MnistCNN):
            x = x.contiguous(memory_format=torch.channels_last)
        optimizer = torch.optim.Adam(model.parameters(), fused=True)
        for _ in range(3):
            loss = F.cross_entropy(model(x), torch.zeros(batch, dtype=torch.int64))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


def _load() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every OS
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--cap", type=int, default=2, help="at most this many epochs for (a) (default 2)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds for (b)")
    parser.add_argument("--skip-classic", action="store_true", help="run only (b)")
    parser.add_argument(
        "--steps", type=int, default=300, help="training steps of (b) (default 300)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch.set_num_threads (default: PyTorch's choice)"
    )
    args = parser.parse_args(argv)
    if args.cap < 1:
        parser.error("--cap must be >= 1")
    if args.threads < 0:
        parser.error("--threads must be >= 0")
    if args.threads:
        torch.set_num_threads(args.threads)

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"load average at start {_load()}",
        flush=True,
    )
    print(f"warm-up (imports, kernel compilation; not counted): {warm_up():.1f} s", flush=True)
    rows = [book(seed, args.steps) for seed in args.seeds]
    if not args.skip_classic:
        rows.append(classic(args.cap))
    print(f"load average at end {_load()}\n")

    print("| pipeline | epochs | wall s (incl. data) | test accuracy | time to 99 % |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        to_target = (
            f"{row.time_to_target:.1f} s"
            if row.time_to_target is not None
            else f"not reached in {row.epochs:.3g} epochs (> {row.seconds:.0f} s)"
        )
        print(
            f"| {row.name} | {row.epochs:.3g} | {row.seconds:.1f} | {row.accuracy:.2%} | {to_target} |"
        )

    books = [r for r in rows if r.name.startswith("(b)")]
    slowest = max(r.seconds for r in books)
    worst = min(r.accuracy for r in books)
    ok_book = worst >= TARGET and slowest <= FLOOR_SECONDS
    print(
        f"\n(b) over {len(books)} seeds: accuracy {worst:.2%} at worst, {slowest:.1f} s at slowest "
        f"-> floor (>= 99.0 % in <= {FLOOR_SECONDS:.0f} s): {'OK' if ok_book else 'MISSED'}"
    )
    ok_ratio = True
    if not args.skip_classic:
        a = rows[-1]
        a_time = a.time_to_target if a.time_to_target is not None else a.seconds
        ratio = a_time / slowest
        bound = "" if a.time_to_target is not None else " (lower bound: (a) did not reach 99 %)"
        ok_ratio = ratio >= FLOOR_RATIO
        print(
            f"time to 99 %, (a)/(b): {'' if bound == '' else '> '}{ratio:.1f}x{bound} "
            f"-> floor (>= {FLOOR_RATIO:.0f}x): {'OK' if ok_ratio else 'MISSED'}"
        )
    return 0  # a figure, not a test: a busy machine must not fail `make bench`


if __name__ == "__main__":
    sys.exit(main())
