"""The delegation graph as server-rendered SVG: columns by hops to the carrier
(carriers on the right), ranked edges (the first choice solid, fallbacks dashed).
The table beside it lists every member and every edge, so nothing depends on the
drawing."""

from __future__ import annotations

from dataclasses import dataclass

from delegations.selectors import Graph

MAX_DRAWN = 150  # larger graphs: the table only
COL_W, ROW_H, PAD, RADIUS = 170, 34, 20, 9


@dataclass(frozen=True)
class Node:
    member: int
    name: str
    weight: int
    x: int
    y: int
    carrier: bool


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    rank: int


def graph_layout(graph: Graph) -> dict | None:
    if not graph.nodes or len(graph.nodes) > MAX_DRAWN:
        return None
    res = graph.resolution
    hops: dict[int, int] = {}
    for node in graph.nodes:
        m = node["member"]
        path = res.path_of(m)
        hops[m] = len(path) - 1 if path else -1  # -1: reaches nobody
    deepest = max(hops.values(), default=0)
    columns: dict[int, list[int]] = {}
    for node in graph.nodes:
        m = node["member"]
        column = deepest + 1 if hops[m] < 0 else deepest - hops[m]
        columns.setdefault(column, []).append(m)
    place: dict[int, tuple[int, int]] = {}
    for column, members in columns.items():
        for row, m in enumerate(sorted(members)):
            place[m] = (PAD + column * COL_W + RADIUS, PAD + row * ROW_H + RADIUS)
    nodes = [
        Node(
            member=n["member"],
            name=(graph.members[n["member"]].display_name)
            if n["member"] in graph.members
            else str(n["member"]),
            weight=n["weight"],
            x=place[n["member"]][0],
            y=place[n["member"]][1],
            carrier=n["weight"] > 0,
        )
        for n in graph.nodes
    ]
    edges = [
        Edge(
            x1=place[e["from"]][0],
            y1=place[e["from"]][1],
            x2=place[e["to"]][0],
            y2=place[e["to"]][1],
            rank=e["rank"],
        )
        for e in graph.edges
        if e["from"] in place and e["to"] in place
    ]
    rows = max(len(m) for m in columns.values())
    return {
        "nodes": nodes,
        "edges": edges,
        "width": PAD * 2 + (max(columns) + 1) * COL_W,
        "height": PAD * 2 + rows * ROW_H,
    }


def graph_table(graph: Graph) -> list[dict]:
    """Every member of the graph with their weight and ranked trustees."""
    trustees: dict[int, list[int]] = {}
    for e in graph.edges:
        trustees.setdefault(e["from"], []).append(e["to"])

    def name(m: int) -> str:
        person = graph.members.get(m)
        return person.display_name if person else str(m)

    return [
        {
            "member": n["member"],
            "name": name(n["member"]),
            "username": getattr(graph.members.get(n["member"]), "username", ""),
            "weight": n["weight"],
            "trustees": [name(t) for t in trustees.get(n["member"], [])],
        }
        for n in graph.nodes
    ]
