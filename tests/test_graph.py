"""Tracing and drawing the computation graph behind a tensor."""

import pytest
import torch
from matplotlib.figure import Figure

from pytorch_lessons.graph import ComputationGraph, draw_graph, trace_graph


def _classic():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    return x, out


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_trace_follows_grad_fn_back_to_the_leaf():
    x, out = _classic()
    graph = trace_graph(out, {"x": x, "out": out})
    assert isinstance(graph, ComputationGraph)
    assert graph.labels("output") == ["out\nscalar"]
    assert graph.labels("leaf") == ["x\n(2, 2)"]
    assert graph.labels("op") == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0"]
    # y enters y * y twice: one edge, counted twice
    add = next(n.id for n in graph.nodes if n.label == "AddBackward0")
    assert [e.count for e in graph.edges if e.source == add] == [2]
    # inputs in column 0, the output last, every edge going left to right
    leaf = next(n.id for n in graph.nodes if n.kind == "leaf")
    assert graph.columns[leaf] == 0 and graph.columns[0] == max(graph.columns)
    assert all(graph.columns[e.source] < graph.columns[e.target] for e in graph.edges)


def test_shared_nodes_appear_once_and_unnamed_tensors_get_shapes():
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    h = torch.tanh(w @ torch.ones(3) + b) * w.sum()
    graph = trace_graph(h)
    assert sorted(graph.labels("leaf")) == ["leaf\n(1)", "leaf\n(3)"]
    assert graph.labels("output") == ["output\n(1)"]
    assert len(graph.nodes) == len({n.id for n in graph.nodes})
    # w feeds two operations, so its node has two outgoing edges
    w_node = next(n.id for n in graph.nodes if n.label == "leaf\n(3)")
    assert len([e for e in graph.edges if e.source == w_node]) == 2
    assert all(graph.columns[n.id] == 0 for n in graph.nodes if n.kind == "leaf")


def test_python_control_flow_changes_the_graph():
    def f(x, repeats):
        for _ in range(repeats):
            x = x * 2
        return x.sum() if x.sum() > 0 else (x**2).sum()

    short = trace_graph(f(torch.tensor([1.0], requires_grad=True), 1))
    long = trace_graph(f(torch.tensor([-1.0], requires_grad=True), 3))
    assert short.labels("op").count("MulBackward0") == 1
    assert long.labels("op").count("MulBackward0") == 3
    assert "PowBackward0" in long.labels("op") and "PowBackward0" not in short.labels("op")


def test_draw_graph_draws_every_node_and_edge():
    x, out = _classic()
    fig = draw_graph(out, {"x": x, "out": out}, title="classic")
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    for label in ("x\n(2, 2)", "out\nscalar", "MeanBackward0", "AddBackward0", "×2"):
        assert label in texts
    assert texts.count("MulBackward0") == 2
    arrows = [c for c in fig.axes[0].get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == len(trace_graph(out).edges)
    assert fig.axes[0].get_title() == "classic"


def test_bad_inputs_raise_one_clear_error():
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        trace_graph([1.0])
    with pytest.raises(ValueError, match="does not require gradients"):
        trace_graph(torch.ones(2) * 2)
    with pytest.raises(ValueError, match="it is a leaf tensor"):
        trace_graph(torch.ones(2, requires_grad=True))
    x, out = _classic()
    with pytest.raises(TypeError, match="names must map strings to tensors"):
        trace_graph(out, {"x": 1.0})
    with pytest.raises(ValueError, match="max_nodes must be an int >= 2"):
        draw_graph(out, max_nodes=1)


def test_draw_graph_refuses_huge_graphs():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.01
    with pytest.raises(ValueError, match="more than max_nodes=40"):
        draw_graph(y)
    # tracing alone works at any size: no recursion limit
    for _ in range(2000):
        y = y * 1.0
    assert len(trace_graph(y).nodes) == 2050 + 2  # the multiplications, the leaf, the output
