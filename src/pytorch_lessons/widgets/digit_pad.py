"""The draw-a-digit pad: draw a digit and see what the model you trained makes of it.

- :func:`fold_mnist_cnn` -- the export: a trained :class:`~pytorch_lessons.models.MnistCNN`
  (chapter 07's architecture, any widths) as five weight/bias pairs, each batch norm folded
  into the convolution before it; :func:`folded_forward` is what those compute, in PyTorch.
- :func:`encode_float16` / :func:`decode_float16` -- the tensors as float16 bytes, compressed,
  in base64 (what the widget's state carries: about 150 KB for 65 000 numbers) and back.
- :class:`DigitPad` / :func:`show_digit_pad` -- the widget. Its module ``js/digit_pad.js``
  preprocesses the drawing like MNIST and runs the forward pass in the page, from the exported
  weights, so it works in JupyterLab before any cell runs and on the static site, with no
  kernel. What the reader drew comes back as :meth:`DigitPad.image`.

Why a forward pass written out in JavaScript and not onnxruntime-web (with ``torch.onnx.export``):
the model is five small layers; written out they are about 90 lines (4 KB) that a student can
read next to the PyTorch class, and the page ships nothing but them and the weights.
onnxruntime-web's WebAssembly runtime alone is about 10 MB, more than the whole site; a page
opened from disk (``file://``) cannot fetch it, so it would have to be inlined as base64, a
third larger again; and no student can read what it computes.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
import traitlets
from torch import nn

from pytorch_lessons.data import MNIST_MEAN, MNIST_STD
from pytorch_lessons.widgets.base import BookWidget

#: The exported tensors, in the order the bytes hold them.
NAMES = tuple(
    f"{layer}.{kind}"
    for layer in ("conv1", "conv2", "conv3", "fc1", "fc2")
    for kind in ("weight", "bias")
)
#: chapter 07's layers, in order: what :func:`fold_mnist_cnn` accepts
_FEATURES = (
    nn.Conv2d, nn.BatchNorm2d, nn.ReLU,
    nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU,
    nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU,
)  # fmt: skip
_CLASSIFIER = (nn.Linear, nn.ReLU, nn.Linear)
_CONVS = {"conv1": (5, 2, 2), "conv2": (3, 1, 1), "conv3": (3, 1, 1)}  # kernel, stride, padding
_FLOAT16_MAX = 65504.0
_ARCHITECTURE = (
    "a model shaped like chapter 07's MnistCNN (features: conv 5x5 stride 2 - batch norm - ReLU, "
    "conv 3x3 - max-pool 2 - batch norm - ReLU, twice; classifier: linear - ReLU - linear, "
    "1 input channel, 10 classes)"
)


def _mismatch(what: str) -> ValueError:
    return ValueError(f"the digit pad needs {_ARCHITECTURE}; this one differs: {what}")


def _layers(model: Any) -> tuple[list[nn.Module], list[nn.Module]]:
    """The model's feature and classifier layers, checked against chapter 07's architecture."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    features = getattr(model, "features", None)
    classifier = getattr(model, "classifier", None)
    if not isinstance(features, nn.Sequential) or not isinstance(classifier, nn.Sequential):
        raise _mismatch("no nn.Sequential `features` and `classifier`")
    for name, layers, expected in (
        ("features", features, _FEATURES),
        ("classifier", classifier, _CLASSIFIER),
    ):
        kinds = tuple(type(layer) for layer in layers)
        if kinds != expected:
            got = ", ".join(kind.__name__ for kind in kinds)
            raise _mismatch(f"{name} is ({got})")
    convs = [layer for layer in features if isinstance(layer, nn.Conv2d)]
    for (name, (k, stride, padding)), conv in zip(_CONVS.items(), convs, strict=True):
        if (
            conv.kernel_size != (k, k)
            or conv.stride != (stride, stride)
            or conv.padding != (padding, padding)
            or conv.dilation != (1, 1)
            or conv.groups != 1
            or conv.padding_mode != "zeros"
        ):
            raise _mismatch(
                f"{name} has kernel {conv.kernel_size}, stride {conv.stride}, padding {conv.padding}"
            )
    if convs[0].in_channels != 1:
        raise _mismatch(f"conv1 takes {convs[0].in_channels} input channels")
    for layer in features:
        if isinstance(layer, nn.MaxPool2d) and (
            layer.kernel_size not in (2, (2, 2))
            or layer.stride not in (2, (2, 2))
            or layer.padding not in (0, (0, 0))
            or layer.dilation not in (1, (1, 1))
            or layer.ceil_mode
        ):
            raise _mismatch(f"a pool is {layer}")
        if isinstance(layer, nn.BatchNorm2d) and (
            layer.running_mean is None or layer.running_var is None
        ):
            raise _mismatch("a batch norm keeps no running statistics")
    fc1, fc2 = classifier[0], classifier[2]
    assert isinstance(fc1, nn.Linear) and isinstance(fc2, nn.Linear)
    if fc1.in_features != convs[2].out_channels * 3 * 3:
        raise _mismatch(
            f"fc1 takes {fc1.in_features} features, not {convs[2].out_channels} x 3 x 3"
        )
    if fc2.out_features != 10:
        raise _mismatch(f"fc2 gives {fc2.out_features} classes")
    return list(features), list(classifier)


@torch.no_grad()
def fold_mnist_cnn(model: nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, list[int]]]:
    """The model as the browser runs it: weights and biases with each batch norm folded in.

    In ``eval()`` mode a batch norm is a fixed per-channel affine map, ``s * v + t`` with
    ``s = weight / sqrt(running_var + eps)`` and ``t = bias - running_mean * s``. After a
    convolution it folds into it: scale each output channel's kernel by ``s`` and make its bias
    ``s * b + t``; one layer instead of two, the same numbers. In the last two blocks a max-pool
    sits between the convolution and the batch norm. A positive ``s`` moves through a max
    unchanged (``s * max(v) + t = max(s * v + t)``), so the fold is the same there; a negative
    ``s`` turns the max into a min (``s * max(v) + t = min(s * v + t)``): those channels are
    returned in ``flipped`` (``{"conv2": [...], "conv3": [...]}``), and the pool takes their
    minimum. Computed in float64 from the model's tensors, on the CPU; returns float32 tensors
    named as :data:`NAMES`. The model itself is not changed.
    """
    features, classifier = _layers(model)
    convs = [layer for layer in features if isinstance(layer, nn.Conv2d)]
    norms = [layer for layer in features if isinstance(layer, nn.BatchNorm2d)]
    tensors: dict[str, torch.Tensor] = {}
    flipped: dict[str, list[int]] = {}
    for index, (conv, norm) in enumerate(zip(convs, norms, strict=True), start=1):
        assert norm.running_mean is not None and norm.running_var is not None
        weight = conv.weight.detach().double().cpu()
        bias = (
            conv.bias.detach().double().cpu()
            if conv.bias is not None
            else torch.zeros(weight.shape[0], dtype=torch.float64)
        )
        mean = norm.running_mean.double().cpu()
        scale = 1 / torch.sqrt(norm.running_var.double().cpu() + norm.eps)
        if norm.weight is not None:
            scale = scale * norm.weight.detach().double().cpu()
        shift = -mean * scale
        if norm.bias is not None:
            shift = shift + norm.bias.detach().double().cpu()
        tensors[f"conv{index}.weight"] = (weight * scale.view(-1, 1, 1, 1)).float()
        tensors[f"conv{index}.bias"] = (bias * scale + shift).float()
        if index > 1:
            flipped[f"conv{index}"] = [int(c) for c in torch.nonzero(scale < 0).flatten()]
    for index, layer in ((1, classifier[0]), (2, classifier[2])):
        assert isinstance(layer, nn.Linear)
        tensors[f"fc{index}.weight"] = layer.weight.detach().float().cpu().clone()
        bias = layer.bias if layer.bias is not None else torch.zeros(layer.out_features)
        tensors[f"fc{index}.bias"] = bias.detach().float().cpu().clone()
    return {name: tensors[name] for name in NAMES}, flipped


def _pool(x: torch.Tensor, flipped: Sequence[int]) -> torch.Tensor:
    """2 x 2 max-pool, the minimum for the channels in ``flipped`` (see :func:`fold_mnist_cnn`)."""
    pooled = F.max_pool2d(x, 2)
    if flipped:
        channels = list(flipped)
        pooled[:, channels] = -F.max_pool2d(-x[:, channels], 2)
    return pooled


def folded_forward(
    tensors: Mapping[str, torch.Tensor], flipped: Mapping[str, Sequence[int]], images: torch.Tensor
) -> torch.Tensor:
    """The logits the folded tensors give for ``images`` ``(N, 1, 28, 28)``: in PyTorch, the
    computation ``js/digit_pad.js`` does in the browser."""
    t = {name: value.to(images.dtype) for name, value in tensors.items()}
    x = F.relu(F.conv2d(images, t["conv1.weight"], t["conv1.bias"], stride=2, padding=2))
    x = F.conv2d(x, t["conv2.weight"], t["conv2.bias"], padding=1)
    x = F.relu(_pool(x, flipped.get("conv2", [])))
    x = F.conv2d(x, t["conv3.weight"], t["conv3.bias"], padding=1)
    x = F.relu(_pool(x, flipped.get("conv3", [])))
    x = F.relu(F.linear(x.flatten(1), t["fc1.weight"], t["fc1.bias"]))
    return F.linear(x, t["fc2.weight"], t["fc2.bias"])


def encode_float16(tensors: Mapping[str, torch.Tensor]) -> tuple[str, list[list[Any]]]:
    """The tensors as float16, one after the other, and ``[[name, shape], ...]`` to cut them
    apart again. float16 keeps 3 significant digits: plenty for a network's weights, half the
    bytes of float32. The bytes go as two planes -- every number's high byte (sign, exponent,
    top of the fraction), then every low byte -- zlib-compressed, in base64: neighbouring
    weights have alike high bytes, so together they compress (113 KB instead of 130 KB for
    chapter 07's model, where the interleaved bytes give 120 KB)."""
    numbers: list[int] = []
    shapes: list[list[Any]] = []
    for name, tensor in tensors.items():
        values = tensor.detach().float().cpu().flatten()
        if not torch.isfinite(values).all() or values.abs().max() > _FLOAT16_MAX:
            raise ValueError(f"{name} holds values float16 cannot store (beyond ±{_FLOAT16_MAX:g})")
        numbers.extend(values.to(torch.float16).view(torch.int16).tolist())
        shapes.append([name, list(tensor.shape)])
    bits = [n & 0xFFFF for n in numbers]
    planes = bytes(b >> 8 for b in bits) + bytes(b & 0xFF for b in bits)
    return base64.b64encode(zlib.compress(planes, 9)).decode("ascii"), shapes


def decode_float16(text: str, shapes: Sequence[Sequence[Any]]) -> dict[str, torch.Tensor]:
    """What :func:`encode_float16` made, back as float32 tensors (with float16's rounding)."""
    planes = zlib.decompress(base64.b64decode(text))
    counts = [math.prod(int(size) for size in shape) for _, shape in shapes]
    if 2 * sum(counts) != len(planes):
        raise ValueError(f"{len(planes)} bytes, but the shapes account for {2 * sum(counts)}")
    total = len(planes) // 2
    bits = bytes(b for i in range(total) for b in (planes[total + i], planes[i]))  # little-endian
    tensors: dict[str, torch.Tensor] = {}
    offset = 0
    for (name, shape), count in zip(shapes, counts, strict=True):
        values = struct.unpack_from(f"<{count}e", bits, 2 * offset)
        tensors[name] = torch.tensor(values, dtype=torch.float32).view(*shape)
        offset += count
    return tensors


class DigitPad(BookWidget, module="digit_pad", title="draw-a-digit pad"):
    """The widget: a pad to draw on, the 28 x 28 input the drawing becomes, and the model's
    ten probabilities for it, computed in the page from ``weights`` (the folded tensors as
    compressed float16, :func:`encode_float16`; ``shapes`` and ``flipped`` say how to read them).
    ``pixels`` holds the last drawing's 28 x 28 input (0..1, row by row) once the module sends
    it: :meth:`image` gives it to PyTorch.
    """

    weights = traitlets.Unicode().tag(sync=True)
    shapes = traitlets.List(traitlets.List()).tag(sync=True)
    flipped = traitlets.Dict().tag(sync=True)
    mean = traitlets.Float(MNIST_MEAN).tag(sync=True)
    std = traitlets.Float(MNIST_STD).tag(sync=True)
    pixels = traitlets.List(traitlets.Float()).tag(sync=True)

    def __init__(self, model: nn.Module) -> None:
        tensors, flipped = fold_mnist_cnn(model)
        weights, shapes = encode_float16(tensors)
        super().__init__(weights=weights, shapes=shapes, flipped=flipped)

    def tensors(self) -> dict[str, torch.Tensor]:
        """The weights the page computes with (float16-rounded), as float32 tensors."""
        return decode_float16(self.weights, self.shapes)

    def image(self) -> torch.Tensor:
        """The last drawing as the model's input: normalized, shape ``(1, 1, 28, 28)``."""
        if len(self.pixels) != 28 * 28:
            raise ValueError(
                "nothing drawn yet: draw a digit on the pad first (the cell must have run)"
            )
        pixels = torch.tensor(self.pixels, dtype=torch.float32).view(1, 1, 28, 28)
        return (pixels - self.mean) / self.std


def show_digit_pad(model: nn.Module) -> DigitPad:
    """A pad to draw digits on for ``model`` (chapter 07's ``MnistCNN``): shown as a cell's
    last line. Its weights go into the widget, so it keeps working without the kernel."""
    return DigitPad(model)
