"""`dapr-lint apps --format mermaid|dot`: the application graph drawn as a Mermaid flowchart or a Graphviz digraph."""

from __future__ import annotations

from typing import Sequence

from dapr_lint.project.graph import Edge, Graph, Node

# Mermaid shapes: apps are boxes, components cylinders, topics hexagons, jobs stadiums
_MERMAID_SHAPES = {"app": ('["', '"]'), "component": ('[("', '")]'), "topic": ('{{"', '"}}'), "job": ('(["', '"])')}
_DOT_SHAPES = {"app": "box", "component": "cylinder", "topic": "hexagon", "job": "oval"}
_ARROWS = {"publish": "-->", "subscribe": "-->", "invoke": "==>", "jobs": "-->"}  # invoke drawn thick; resource uses dotted


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for the characters the grammar reads."""
    out = []
    for char in text:
        if char in '"#<>&|`':
            out.append(f"#{ord(char)};")
        elif char in "\r\n\t" or ord(char) < 32:
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _node_label(node: Node) -> list[str]:
    lines = [node.label]
    if node.kind == "topic":
        lines = [f"topic {node.label}", f"on {node.detail}"]
    elif node.kind == "job":
        lines = [f"job {node.label}"]
    elif node.detail and node.detail != node.label:  # an app with no app ID is named by its entry module
        lines.append(node.detail)
    if node.kind == "app" and node.external:
        lines.append("not analysed")
    if node.findings:
        lines.append(" ".join(node.findings))
    return lines


def _edge_label(edge: Edge) -> str:
    label = f"invoke {edge.label}" if edge.kind == "invoke" else edge.label
    return f"{label} {' '.join(edge.findings)}" if edge.findings else label


def _ids(graphs: Sequence[Graph]) -> list[dict[str, str]]:
    # node IDs are made of letters and digits only: model IDs hold `:`, `/`, spaces and dots
    counter = 0
    found = []
    for graph in graphs:
        ids = {}
        for key in sorted(graph.nodes):
            ids[key] = f"n{counter}"
            counter += 1
        found.append(ids)
    return found


def _edges(graph: Graph) -> list[Edge]:
    return sorted(graph.edges, key=lambda e: (e.source, e.target, e.kind, e.label, e.file, e.line))


def _merged(graph: Graph) -> list[tuple[Edge, int]]:
    """Edges drawn once per (source, target, kind, label), with how many places in the code say it."""
    seen: dict[tuple[str, str, str, str], list] = {}
    for edge in _edges(graph):
        key = (edge.source, edge.target, edge.kind, _edge_label(edge))
        if key in seen:
            seen[key][1] += 1
        else:
            seen[key] = [edge, 1]
    return [(edge, count) for edge, count in seen.values()]


def to_mermaid(graphs: Sequence[Graph]) -> str:
    lines = ["flowchart LR"]
    for graph, ids in zip(graphs, _ids(graphs)):
        indent = "  "
        if len(graphs) > 1:
            lines.append(f'  subgraph r{len(lines)}["{_mermaid_text(graph.root)}"]')
            indent = "    "
        for key in sorted(graph.nodes):
            node = graph.nodes[key]
            start, end = _MERMAID_SHAPES[node.kind]
            label = "<br/>".join(_mermaid_text(part) for part in _node_label(node))
            lines.append(f"{indent}{ids[key]}{start}{label}{end}")
        for edge, count in _merged(graph):
            arrow = _ARROWS.get(edge.kind, "-.->")
            label = _edge_label(edge) + (f" (x{count})" if count > 1 else "")
            lines.append(f'{indent}{ids[edge.source]} {arrow}|"{_mermaid_text(label)}"| {ids[edge.target]}')
        if len(graphs) > 1:
            lines.append("  end")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


def to_dot(graphs: Sequence[Graph]) -> str:
    lines = ["digraph dapr {", "  rankdir=LR;", '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica"];']
    for number, (graph, ids) in enumerate(zip(graphs, _ids(graphs))):
        indent = "  "
        if len(graphs) > 1:
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f'    label="{_dot_text(graph.root)}";')
            indent = "    "
        for key in sorted(graph.nodes):
            node = graph.nodes[key]
            label = "\\n".join(_dot_text(part) for part in _node_label(node))
            style = ", style=dashed" if node.external else ""
            lines.append(f'{indent}{ids[key]} [label="{label}", shape={_DOT_SHAPES[node.kind]}{style}];')
        for edge, count in _merged(graph):
            style = {"invoke": ", style=bold", "publish": "", "subscribe": "", "jobs": ""}.get(edge.kind, ", style=dashed")
            label = _edge_label(edge) + (f" (x{count})" if count > 1 else "")
            lines.append(f'{indent}{ids[edge.source]} -> {ids[edge.target]} [label="{_dot_text(label)}"{style}];')
        if len(graphs) > 1:
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
