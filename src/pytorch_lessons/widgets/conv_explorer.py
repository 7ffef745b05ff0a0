"""The convolution explorer: slide a kernel over an image, see the feature map and its size.

- :func:`apply_kernel` -- the computation: ``F.conv2d`` of a 2-D image with one kernel, a stride
  and a padding; returns a :class:`ConvResult` with the feature map and the output-size formula
  ``⌊(n + 2p − k)/s⌋ + 1`` worked out (:func:`output_size`, :func:`size_formula`).
- :class:`ConvExplorer` / :func:`show_conv_explorer` -- the widget: PyTorch convolves the image
  once with every preset kernel of :data:`KERNELS` at every stride of :data:`STRIDES` and
  padding of :data:`PADDINGS`; the module ``js/conv_explorer.js`` draws the one the controls
  pick, at once, with or without a kernel. A kernel typed in is convolved by the notebook's
  kernel (:meth:`ConvExplorer.answer`).
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
import traitlets

from pytorch_lessons.checks import is_int
from pytorch_lessons.widgets.base import BookWidget, rounded

#: The preset kernels: the classic hand-made filters of image processing.
KERNELS: dict[str, tuple[tuple[float, ...], ...]] = {
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "box blur": ((1 / 9,) * 3,) * 3,
    "gaussian blur": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "edges (Laplacian)": ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
    "vertical edges (Sobel x)": ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
    "horizontal edges (Sobel y)": ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
    "emboss": ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
}
MAX_KERNEL = 7
MAX_STRIDE = 4
MAX_PADDING = 4


def kernel(name: str) -> torch.Tensor:
    """The preset kernel called ``name`` (one of :data:`KERNELS`) as a 2-D float tensor."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}: expected one of {', '.join(KERNELS)}")
    return torch.tensor(KERNELS[name], dtype=torch.float32)


def parse_kernel(text: str) -> torch.Tensor:
    """A kernel typed as text: rows separated by ``;`` or new lines, numbers by spaces or commas.

    ``"1 0 -1; 2 0 -2; 1 0 -1"`` is the 3×3 Sobel kernel. Fractions such as ``1/9`` work. Every
    row must have the same length, and the kernel at most 7×7.
    """
    if not isinstance(text, str):
        raise TypeError(f"kernel text must be a string, got {type(text).__name__}")
    rows = [row for row in re.split(r"[;\n]", text) if row.strip()]
    if not rows:
        raise ValueError(
            "the kernel is empty: type rows of numbers, e.g. '0 -1 0; -1 5 -1; 0 -1 0'"
        )
    values: list[list[float]] = []
    for row in rows:
        numbers = []
        for token in re.split(r"[\s,]+", row.strip()):
            numbers.append(_number(token))
        values.append(numbers)
    widths = {len(row) for row in values}
    if len(widths) != 1:
        raise ValueError(
            f"every kernel row needs the same number of values, got rows of lengths "
            f"{[len(row) for row in values]}"
        )
    if len(values) > MAX_KERNEL or widths.pop() > MAX_KERNEL:
        raise ValueError(f"the kernel may be at most {MAX_KERNEL}×{MAX_KERNEL}")
    return torch.tensor(values, dtype=torch.float32)


def _number(token: str) -> float:
    try:
        if "/" in token:
            top, bottom = token.split("/", 1)
            value = float(top) / float(bottom)
        else:
            value = float(token)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{token!r} in the kernel is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{token!r} in the kernel is not a finite number")
    return value


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """The length of a convolution's output along one dimension: ``⌊(n + 2p − k)/s⌋ + 1``.

    Raises ``ValueError`` when the kernel does not fit in the padded input.
    """
    n = _positive_int("n", n)
    k = _positive_int("k", k)
    stride = _positive_int("stride", stride)
    padding = _positive_int("padding", padding, minimum=0)
    if k > n + 2 * padding:
        raise ValueError(
            f"a kernel of size {k} does not fit in an input of size {n} padded by {padding} "
            f"(size {n + 2 * padding})"
        )
    return (n + 2 * padding - k) // stride + 1


def size_formula(n: int, k: int, stride: int = 1, padding: int = 0) -> str:
    """The output-size formula with the numbers filled in, e.g. ``⌊(28 + 2·1 − 3)/1⌋ + 1 = 28``."""
    out = output_size(n, k, stride, padding)
    return f"⌊({n} + 2·{padding} − {k})/{stride}⌋ + 1 = {out}"


@dataclass(frozen=True)
class ConvResult:
    """One convolution of a 2-D image: the inputs, the feature map, and the size formula."""

    image: torch.Tensor
    kernel: torch.Tensor
    stride: int
    padding: int
    output: torch.Tensor

    @property
    def formula(self) -> str:
        """Both output sizes, worked out: ``height: ⌊...⌋ + 1 = h, width: ... = w``."""
        (h, w), (kh, kw) = self.image.shape, self.kernel.shape
        tall = size_formula(h, kh, self.stride, self.padding)
        wide = size_formula(w, kw, self.stride, self.padding)
        return tall if (h, kh) == (w, kw) else f"height {tall}; width {wide}"


def _as_image(image: Any) -> torch.Tensor:
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a tensor, got {type(image).__name__}")
    picture = image.detach().cpu()
    while picture.ndim > 2 and picture.shape[0] == 1:
        picture = picture[0]
    if picture.ndim != 2 or picture.numel() == 0:
        raise ValueError(
            f"image must be one grey-scale picture, (H, W), (1, H, W) or (1, 1, H, W); "
            f"got shape {tuple(image.shape)}"
        )
    return picture.float()


def _as_kernel(weights: Any) -> torch.Tensor:
    if isinstance(weights, str):
        return kernel(weights) if weights in KERNELS else parse_kernel(weights)
    if not isinstance(weights, torch.Tensor):
        raise TypeError(
            f"kernel must be a preset name, a text such as '1 0 -1; 2 0 -2; 1 0 -1' or a tensor, "
            f"got {type(weights).__name__}"
        )
    if weights.ndim != 2 or weights.numel() == 0:
        raise ValueError(f"kernel must be a 2-D tensor, got shape {tuple(weights.shape)}")
    return weights.detach().cpu().float()


def apply_kernel(
    image: torch.Tensor, kernel: torch.Tensor | str, stride: int = 1, padding: int = 0
) -> ConvResult:
    """Convolve (in PyTorch's sense: cross-correlate) ``image`` with ``kernel`` using ``F.conv2d``.

    ``kernel`` is a 2-D tensor, a preset name from :data:`KERNELS`, or text for
    :func:`parse_kernel`. Bad sizes raise ``ValueError`` with the formula's numbers.
    """
    picture = _as_image(image)
    weights = _as_kernel(kernel)
    for n, k in zip(picture.shape, weights.shape, strict=True):
        output_size(n, k, stride, padding)  # validates, with a clear message
    out = F.conv2d(picture[None, None], weights[None, None], stride=stride, padding=padding)
    return ConvResult(picture, weights, stride, padding, out[0, 0])


#: The strides and paddings the explorer's sliders offer (each map is precomputed).
STRIDES: tuple[int, ...] = tuple(range(1, MAX_STRIDE + 1))
PADDINGS: tuple[int, ...] = tuple(range(MAX_PADDING + 1))
#: The explorer's ``kernel`` when the student typed one in (the module sets it).
CUSTOM = "custom"


def _quantized(values: torch.Tensor, signed: bool) -> dict[str, Any]:
    """A 2-D map as small integers: their bytes (base64) and the scale that turns them back.

    A signed map (a feature map, whose sign matters) becomes int8 ``round(v / scale)`` with
    ``scale = max|v| / 127``, so 0 stays exactly 0; an unsigned one (the input image) becomes
    uint8 ``round((v - low) / scale)``. Each value comes back within ``scale / 2``, in about
    a fifth of the characters of floats rounded to 4 digits.
    """
    v = values.detach().cpu().double()
    if signed:
        low, scale, dtype = 0.0, v.abs().max().item() / 127, torch.int8
    else:
        low = v.min().item()
        scale, dtype = (v.max().item() - low) / 255, torch.uint8
    q = torch.round((v - low) / scale) if scale > 0 else torch.zeros_like(v)
    return {
        "dtype": "int8" if signed else "uint8",
        "shape": list(v.shape),
        "low": low,
        "scale": scale if scale > 0 else 1.0,  # in full: a few characters once per map
        "data": base64.b64encode(q.to(dtype).numpy().tobytes()).decode("ascii"),
    }


def dequantized(stored: dict[str, Any]) -> torch.Tensor:
    """The values a stored map stands for: what the module draws."""
    dtype = torch.int8 if stored["dtype"] == "int8" else torch.uint8
    data = torch.frombuffer(bytearray(base64.b64decode(stored["data"])), dtype=dtype)
    return data.float().reshape(stored["shape"]) * stored["scale"] + stored["low"]


def _result_state(result: ConvResult) -> dict[str, Any]:
    """What the module draws of one convolution: the feature map (int8 + scale), the kernel's
    numbers, and the output-size formula."""
    return {
        "map": _quantized(result.output, signed=True),
        "kernel": rounded(result.kernel.tolist()),
        "formula": result.formula,
    }


def _check_setting(name: str, value: Any, choices: tuple[int, ...]) -> int:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}, got {value}")
    return value


class ConvExplorer(BookWidget, module="conv_explorer", title="convolution explorer"):
    """The widget: a preset kernel (or one typed in), a stride and a padding over one image.

    Made, it convolves the image with every preset kernel at every stride and padding
    (``maps[kernel][stride - 1][padding]``, int8 with a scale, and their output-size
    ``formulas[stride - 1][padding]``, in the widget's state); the controls only pick one.
    ``kernel``, ``stride``, ``padding`` and ``custom`` follow the controls. :meth:`answer`
    convolves a kernel typed in, which the module asks for.
    """

    image = traitlets.Dict().tag(sync=True)
    presets = traitlets.List(traitlets.Unicode()).tag(sync=True)
    kernels = traitlets.List(traitlets.List(traitlets.List(traitlets.Float()))).tag(sync=True)
    strides = traitlets.List(traitlets.Int()).tag(sync=True)
    paddings = traitlets.List(traitlets.Int()).tag(sync=True)
    maps = traitlets.List(traitlets.List(traitlets.List(traitlets.Dict()))).tag(sync=True)
    formulas = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    kernel = traitlets.Unicode().tag(sync=True)
    custom = traitlets.Unicode().tag(sync=True)
    stride = traitlets.Int().tag(sync=True)
    padding = traitlets.Int().tag(sync=True)

    def __init__(
        self,
        image: torch.Tensor,
        kernel: str = "vertical edges (Sobel x)",
        stride: int = 1,
        padding: int = 0,
        custom: str = "1 0 -1; 2 0 -2; 1 0 -1",
    ) -> None:
        picture = _as_image(image)
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}: expected one of {', '.join(KERNELS)}")
        stride = _check_setting("stride", stride, STRIDES)
        padding = _check_setting("padding", padding, PADDINGS)
        if not isinstance(custom, str):
            raise TypeError(f"custom must be a string, got {type(custom).__name__}")
        if min(picture.shape) < MAX_KERNEL:
            raise ValueError(
                f"the image must be at least {MAX_KERNEL}×{MAX_KERNEL}, so that every kernel the "
                f"explorer accepts fits; got {tuple(picture.shape)}"
            )
        self._image = picture
        maps: list[list[list[dict[str, Any]]]] = [[[] for _ in STRIDES] for _ in KERNELS]
        formulas: list[list[str]] = [[] for _ in STRIDES]
        for i, s in enumerate(STRIDES):
            for p in PADDINGS:
                for k, name in enumerate(KERNELS):
                    result = apply_kernel(picture, name, s, p)
                    maps[k][i].append(_quantized(result.output, signed=True))
                formulas[i].append(result.formula)  # the same for every 3 × 3 preset
        super().__init__(
            image=_quantized(picture, signed=False),
            presets=list(KERNELS),
            kernels=[rounded(list(map(list, KERNELS[name]))) for name in KERNELS],
            strides=list(STRIDES),
            paddings=list(PADDINGS),
            maps=maps,
            formulas=formulas,
            kernel=kernel,
            custom=custom,
            stride=stride,
            padding=padding,
        )

    def convolve(self, weights: torch.Tensor | str, stride: int, padding: int) -> ConvResult:
        """``apply_kernel`` on the explorer's image, as a kernel typed in is convolved."""
        return apply_kernel(self._image, weights, stride, padding)

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """A kernel typed in: ``{"kernel": "1 0 -1; ...", "stride": 1, "padding": 0}`` -> its
        feature map, numbers and formula, to draw. Text that does not parse raises ValueError."""
        stride = _check_setting("stride", request.get("stride"), STRIDES)
        padding = _check_setting("padding", request.get("padding"), PADDINGS)
        weights = parse_kernel(request.get("kernel"))  # type: ignore[arg-type]
        return _result_state(self.convolve(weights, stride, padding))


def show_conv_explorer(
    image: torch.Tensor,
    kernel: str = "vertical edges (Sobel x)",
    stride: int = 1,
    padding: int = 0,
) -> ConvExplorer:
    """The convolution explorer over ``image`` (28 × 28 for a digit): shown as a cell's last line."""
    return ConvExplorer(image, kernel, stride, padding)
