"""The convolution explorer: slide a kernel over an image, see the feature map and its size.

Three layers, each usable alone:

- :func:`apply_kernel` -- the computation: ``F.conv2d`` of a 2-D image with one kernel, a stride
  and a padding; returns a :class:`ConvResult` with the feature map and the output-size formula
  ``⌊(n + 2p − k)/s⌋ + 1`` worked out (:func:`output_size`, :func:`size_formula`).
- :func:`draw_conv` -- the picture: the (padded) input, the kernel's numbers, the feature map.
- :class:`ConvExplorer` / :func:`show_conv_explorer` -- the live widget (a preset or typed kernel,
  stride and padding), plus a precomputed slider over the preset kernels for the static site.

Also the two pictures of what a trained network learned: :func:`show_filters` and
:func:`show_feature_maps`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from pytorch_lessons.plot import image_grid
from pytorch_lessons.widgets.live import labelled, show_live_and_static

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pytorch_lessons.widgets.static import PrecomputedSlider

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
    if isinstance(value, bool) or not isinstance(value, int):
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


def render_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (what the live widget shows)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _kernel_text(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def draw_conv(result: ConvResult) -> Figure:
    """Three panels: the input with its zero padding (the first window outlined), the kernel's
    numbers, and the feature map, titled with the output-size formula. Returns a closed figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if not isinstance(result, ConvResult):
        raise TypeError(
            f"result must be a ConvResult from apply_kernel(), got {type(result).__name__}"
        )
    p = result.padding
    padded = F.pad(result.image, (p, p, p, p))
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(8, 3.0), dpi=80, gridspec_kw={"width_ratios": [3, 2, 3]}
    )
    plt.close(fig)
    ax_in.imshow(padded.numpy(), cmap="gray")
    if p:
        ax_in.add_patch(
            Rectangle((p - 0.5, p - 0.5), *result.image.shape[::-1], fill=False, ec="#4c72b0", lw=1)
        )
    kh, kw = result.kernel.shape
    ax_in.add_patch(Rectangle((-0.5, -0.5), kw, kh, fill=False, ec="#c0392b", lw=1.5))
    ax_in.set_title(f"input {tuple(result.image.shape)}, padding {p}", fontsize=9)

    limit = max(result.kernel.abs().max().item(), 1e-6)
    ax_k.imshow(result.kernel.numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
    if kh * kw <= 25:
        for i in range(kh):
            for j in range(kw):
                ax_k.text(
                    j,
                    i,
                    _kernel_text(result.kernel[i, j].item()),
                    ha="center",
                    va="center",
                    fontsize=9,
                )
    ax_k.set_title(f"kernel {kh}×{kw}, stride {result.stride}", fontsize=9)

    ax_out.imshow(result.output.numpy(), cmap="gray")
    ax_out.set_title(f"feature map {tuple(result.output.shape)}", fontsize=9)
    for ax in (ax_in, ax_k, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"output size: {result.formula}", fontsize=10)
    fig.tight_layout()
    return fig


CUSTOM = "custom (type below)"


class ConvExplorer:
    """The live widget: choose a preset kernel or type one, a stride and a padding.

    ``update(...)`` is what the controls call: it recomputes, redraws and returns the
    :class:`ConvResult`, so it can be driven and tested without a browser. A kernel that does
    not parse, or that does not fit, shows its error instead of a picture.
    """

    def __init__(self, image: torch.Tensor, kernel: str = "vertical edges (Sobel x)") -> None:
        import ipywidgets as widgets

        self.image = _as_image(image)
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}: expected one of {', '.join(KERNELS)}")
        self.preset = widgets.Dropdown(
            options=[*KERNELS, CUSTOM], value=kernel, description="kernel"
        )
        self.text = widgets.Text(
            value="1 0 -1; 2 0 -2; 1 0 -1",
            description="custom",
            placeholder="rows separated by ;",
            continuous_update=False,
        )
        self.stride = widgets.IntSlider(value=1, min=1, max=MAX_STRIDE, description="stride")
        self.padding = widgets.IntSlider(value=0, min=0, max=MAX_PADDING, description="padding")
        self.image_view = widgets.Image(format="png")
        self.message = widgets.HTML()
        self.result: ConvResult | None = None
        self.error: str | None = None
        for control in (self.preset, self.text, self.stride, self.padding):
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()
        controls = widgets.HBox(
            [widgets.VBox([self.preset, self.text]), widgets.VBox([self.stride, self.padding])]
        )
        self.widget = labelled(widgets.VBox, "convolution explorer")(
            [controls, self.message, self.image_view]
        )
        self.widget.explorer = self

    def refresh(self) -> ConvResult | None:
        """Recompute from the controls' current values."""
        chosen = self.text.value if self.preset.value == CUSTOM else self.preset.value
        return self.update(chosen, self.stride.value, self.padding.value)

    def update(self, kernel: torch.Tensor | str, stride: int, padding: int) -> ConvResult | None:
        """Convolve with these settings and show the result, or the error that prevents it."""
        try:
            result = apply_kernel(self.image, kernel, stride, padding)
        except (TypeError, ValueError) as error:
            self.error = str(error)
            self.message.value = f"<span style='color:#c0392b'>{_escape(self.error)}</span>"
            return None
        self.error = None
        self.result = result
        self.message.value = f"output size: {_escape(result.formula)}"
        self.image_view.value = render_png(draw_conv(result))
        return result


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def conv_frames(
    image: torch.Tensor,
    names: Sequence[str] | None = None,
    stride: int = 1,
    padding: int = 1,
) -> list[tuple[str, Figure]]:
    """One ``(kernel name, figure)`` frame per preset kernel, for the static slider."""
    names = list(KERNELS) if names is None else list(names)
    if not names:
        raise ValueError("names must hold at least one preset kernel")
    return [(name, draw_conv(apply_kernel(image, name, stride, padding))) for name in names]


def conv_fallback(
    image: torch.Tensor, names: Sequence[str] | None = None, stride: int = 1, padding: int = 1
) -> PrecomputedSlider:
    """The static-site version: a precomputed slider over the preset kernels."""
    from pytorch_lessons.widgets.static import precomputed_slider

    return precomputed_slider(
        conv_frames(image, names, stride, padding),
        "kernel",
        caption=f"Precomputed for the preset kernels (stride {stride}, padding {padding}); "
        "run the notebook to type your own kernel, stride and padding.",
    )


def show_conv_explorer(
    image: torch.Tensor,
    kernel: str = "vertical edges (Sobel x)",
    names: Sequence[str] | None = None,
) -> None:
    """Show the live convolution explorer and, below it, its precomputed static version.

    In JupyterLab the static version hides itself when the live widget is shown; on the static
    site (no kernel) it is the one that works. Instructor fast mode skips it. The displayed box
    keeps its :class:`ConvExplorer` as ``.explorer``.
    """
    explorer = ConvExplorer(image, kernel)
    show_live_and_static(explorer.widget, lambda: conv_fallback(image, names))


def _grid(count: int, ncols: int) -> tuple[int, int]:
    cols = max(1, min(ncols, count))
    return math.ceil(count / cols), cols


def show_filters(weight: torch.Tensor, ncols: int = 8, title: str | None = None) -> Figure:
    """A convolution layer's filters, one small picture per output channel (its first input
    channel), in a blue-white-red scale centred on 0: red weights excite, blue inhibit."""
    import matplotlib.pyplot as plt

    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a tensor (e.g. conv.weight), got {type(weight).__name__}")
    if weight.ndim != 4 or weight.shape[0] == 0:
        raise ValueError(
            f"weight must have shape (out_channels, in_channels, kH, kW), got {tuple(weight.shape)}"
        )
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols <= 0:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    filters = weight.detach().cpu().float()[:, 0]
    limit = max(filters.abs().max().item(), 1e-6)
    rows, cols = _grid(len(filters), ncols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(1.0 * cols, 1.05 * rows + 0.3), dpi=80, squeeze=False
    )
    plt.close(fig)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(filters):
            ax.imshow(filters[i].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(str(i), fontsize=8)
    fig.suptitle(title or f"{len(filters)} filters, {tuple(filters.shape[1:])}", fontsize=10)
    fig.tight_layout()
    return fig


def show_feature_maps(
    maps: torch.Tensor,
    ncols: int = 8,
    title: str | None = None,
    titles: Sequence[str] | None = None,
) -> Figure:
    """Feature maps ``(C, H, W)`` or ``(1, C, H, W)``: one grey picture per channel, titled by
    its channel number or by ``titles``."""
    if not isinstance(maps, torch.Tensor):
        raise TypeError(f"maps must be a tensor, got {type(maps).__name__}")
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"maps must have shape (C, H, W) or (1, C, H, W), got {tuple(maps.shape)}")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"titles has {len(titles)} entries but there are {len(maps)} maps")
    names = [str(i) for i in range(len(maps))] if titles is None else list(titles)
    heading = title or f"{len(maps)} feature maps, {tuple(maps.shape[1:])}"
    return image_grid(maps, names, ncols=ncols, fontsize=8, title=heading)
