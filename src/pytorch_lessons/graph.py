"""Draw the computation graph that autograd recorded behind a tensor.

Every tensor made by an operation on tensors that require gradients has a ``grad_fn``: the
backward node of that operation. Each node's ``next_functions`` point to the nodes of its
inputs, down to ``AccumulateGrad`` nodes, one per leaf tensor, that store ``.grad``.
:func:`trace_graph` follows those links into a small data structure; :func:`draw_graph`
draws it with matplotlib, inputs on the left and the output on the right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from pytorch_lessons.checks import int_at_least

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_COLORS = {"leaf": "#d9ead3", "op": "#dae3f3", "output": "#fde9d9"}
_EDGES = {"leaf": "#6aa84f", "op": "#4c72b0", "output": "#e69138"}


@dataclass(frozen=True)
class GraphNode:
    """One box of the drawing: a leaf tensor, a backward operation, or the output tensor."""

    id: int
    kind: str  # "leaf", "op" or "output"
    label: str


@dataclass(frozen=True)
class GraphEdge:
    """Data flows from node ``source`` into node ``target`` (``count`` times, e.g. 2 for y * y)."""

    source: int
    target: int
    count: int = 1


@dataclass(frozen=True)
class ComputationGraph:
    """The nodes and edges behind one tensor, and each node's column (0 = inputs)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    columns: tuple[int, ...]

    def labels(self, kind: str | None = None) -> list[str]:
        """The labels of all nodes, or only of one ``kind``."""
        return [n.label for n in self.nodes if kind is None or n.kind == kind]


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")" if t.ndim else "scalar"


def _name_of(tensor: torch.Tensor, names: Mapping[str, torch.Tensor]) -> str | None:
    return next((name for name, t in names.items() if t is tensor), None)


def trace_graph(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> ComputationGraph:
    """Follow ``output.grad_fn`` back to the leaves and return the graph it recorded.

    ``names`` maps display names to tensors (``{"x": x, "out": out}``) so that leaves and the
    output are labelled by name; others are labelled by their shape. Constants and tensors that
    do not require gradients are not part of the graph, as in autograd itself.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"output must be a torch.Tensor, got {type(output).__name__}")
    names = dict(names or {})
    for name, t in names.items():
        if not isinstance(name, str) or not isinstance(t, torch.Tensor):
            raise TypeError("names must map strings to tensors, e.g. {'x': x}")
    if output.grad_fn is None:
        why = (
            "it is a leaf tensor (created by you, not by an operation)"
            if output.requires_grad
            else "it does not require gradients (no input had requires_grad=True)"
        )
        raise ValueError(f"output has no grad_fn, so there is no graph to draw: {why}")

    ids: dict[int, int] = {}  # id(backward node) -> node index
    nodes: list[GraphNode] = []
    keep: list[Any] = []  # hold the nodes so that their ids stay unique while tracing
    counts: dict[tuple[int, int], int] = {}

    def node_id(fn: Any) -> int:
        key = id(fn)
        if key not in ids:
            ids[key] = len(nodes)
            keep.append(fn)
            variable = getattr(fn, "variable", None)
            if isinstance(variable, torch.Tensor):
                name = _name_of(variable, names) or "leaf"
                nodes.append(GraphNode(ids[key], "leaf", f"{name}\n{_shape(variable)}"))
            else:
                nodes.append(GraphNode(ids[key], "op", type(fn).__name__))
        return ids[key]

    out_name = _name_of(output, names) or "output"
    nodes.append(GraphNode(0, "output", f"{out_name}\n{_shape(output)}"))
    root = node_id(output.grad_fn)
    counts[(root, 0)] = 1
    stack, seen = [output.grad_fn], {id(output.grad_fn)}
    while stack:
        fn = stack.pop()
        target = ids[id(fn)]
        for child, _ in fn.next_functions:
            if child is None:
                continue
            source = node_id(child)
            counts[(source, target)] = counts.get((source, target), 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    edges = tuple(GraphEdge(s, t, c) for (s, t), c in counts.items())
    return ComputationGraph(tuple(nodes), edges, _columns(len(nodes), edges))


def _columns(n: int, edges: tuple[GraphEdge, ...]) -> tuple[int, ...]:
    """Each node's column: inputs (nodes with no producer) in column 0, the output (node 0) last,
    every other node by its longest distance to the output."""
    consumers: dict[int, list[int]] = {i: [] for i in range(n)}
    producers: dict[int, list[int]] = {i: [] for i in range(n)}
    for edge in edges:
        consumers[edge.source].append(edge.target)
        producers[edge.target].append(edge.source)
    waiting = {i: len(consumers[i]) for i in range(n)}
    depth = {i: 0 for i in range(n)}
    ready = [i for i in range(n) if waiting[i] == 0]
    while ready:  # a node's depth is final once all of its consumers have theirs
        i = ready.pop()
        for source in producers[i]:
            depth[source] = max(depth[source], depth[i] + 1)
            waiting[source] -= 1
            if waiting[source] == 0:
                ready.append(source)
    deepest = max(depth.values())
    return tuple(0 if not producers[i] else deepest - depth[i] for i in range(n))


def draw_graph(
    output: torch.Tensor,
    names: Mapping[str, torch.Tensor] | None = None,
    title: str | None = None,
    max_nodes: int = 40,
) -> Figure:
    """Draw the computation graph behind ``output`` (see :func:`trace_graph`) and return it closed.

    Green boxes are leaf tensors (their gradient lands in ``.grad``), blue boxes the backward
    nodes (``grad_fn``) of the operations, orange the output. Arrows follow the forward pass;
    ``backward()`` walks them in reverse. Graphs of more than ``max_nodes`` nodes raise a
    ``ValueError`` rather than draw an unreadable picture.
    """
    import matplotlib.pyplot as plt

    int_at_least("max_nodes", max_nodes, 2)
    graph = trace_graph(output, names)
    if len(graph.nodes) > max_nodes:
        raise ValueError(
            f"the graph has {len(graph.nodes)} nodes, more than max_nodes={max_nodes}: "
            "draw a smaller computation, or raise max_nodes"
        )
    n_cols = max(graph.columns) + 1
    rows: dict[int, list[int]] = {}
    for node in graph.nodes:
        rows.setdefault(graph.columns[node.id], []).append(node.id)
    n_rows = max(len(r) for r in rows.values())
    position: dict[int, tuple[float, float]] = {}
    for col, members in rows.items():
        for k, i in enumerate(members):
            position[i] = (float(col), (len(members) - 1) / 2 - k)

    fig, ax = plt.subplots(figsize=(1.6 * n_cols + 0.6, 0.8 * n_rows + 0.9), dpi=80)
    for edge in graph.edges:
        (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
        ax.annotate(
            "",
            xy=(x1 - 0.33, y1),
            xytext=(x0 + 0.33, y0),
            arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1.2},
        )
        if edge.count > 1:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12, f"×{edge.count}", ha="center", fontsize=9)
    for node in graph.nodes:
        x, y = position[node.id]
        ax.text(
            x,
            y,
            node.label,
            ha="center",
            va="center",
            fontsize=10,
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": _COLORS[node.kind],
                "edgecolor": _EDGES[node.kind],
            },
        )
    ax.set_xlim(-0.55, n_cols - 0.45)
    ax.set_ylim(-n_rows / 2 - 0.1, n_rows / 2 + 0.1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    plt.close(fig)
    from pytorch_lessons.plot import described

    leaves, ops = graph.labels("leaf"), graph.labels("op")[::-1]  # in the forward order
    outputs = graph.labels("output")
    alt = (
        f"Computation graph{' titled ' + title if title else ''}: from the leaves "
        f"{', '.join(leaves)} through {', '.join(ops) or 'no operation'} to "
        f"{', '.join(outputs)}."
    )
    return described(fig, alt, title)
