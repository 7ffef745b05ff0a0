"""Joining gated directives (``exercise-start`` ... ``exercise-end``) across notebook cells.

MyST joins a ``{exercise-start}`` with its ``{exercise-end}`` only when both sit in the same
parent. In a notebook every cell is its own ``block``, so an exercise that wraps code cells
arrives as an open ``exercise`` node (``gate: "start"``) in one block, the code cells as
sibling blocks, and a bare ``gate: "end"`` node in a later block. :func:`join_gates` moves the
blocks in between into the open node, so the exercise (or solution) renders as one box.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def join_gates(root: Node) -> Node:
    """Return ``root`` with gated nodes spanning several blocks joined (``root`` is modified)."""
    children = root.get("children") or []
    if not any(_has_gate(block) for block in children):
        return root
    out: list[Node] = []
    open_nodes: list[Node] = []
    for block in children:
        if _has_gate(block):
            _split_block(block, out, open_nodes)
        else:
            _target(out, open_nodes).append(block)
    root["children"] = out
    return root


def _has_gate(node: Node) -> bool:
    """Whether a direct child of ``node`` opens or closes a gate."""
    return any(child.get("gate") in ("start", "end") for child in node.get("children") or [])


def _target(out: list[Node], open_nodes: list[Node]) -> list[Node]:
    """Where the next node goes: into the innermost open gate, else the top level."""
    if open_nodes:
        return open_nodes[-1].setdefault("children", [])
    return out


def _split_block(block: Node, out: list[Node], open_nodes: list[Node]) -> None:
    """Distribute one block's children, opening and closing gates as they come."""
    piece: Node | None = None
    pieces = 0
    for child in block.get("children") or []:
        gate = child.get("gate")
        if gate == "start":
            del child["gate"]
            _target(out, open_nodes).append(child)
            open_nodes.append(child)
            piece = None
        elif gate == "end":
            if open_nodes:
                open_nodes.pop()
            piece = None
        else:
            if piece is None:
                piece = {**block, "children": []}
                if pieces:  # only the first piece keeps the block's id
                    for key in ("identifier", "html_id", "label"):
                        piece.pop(key, None)
                pieces += 1
                _target(out, open_nodes).append(piece)
            piece["children"].append(child)
