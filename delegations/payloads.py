"""How delegations appear in the API (and the pages' JSON-free tables use the same
fields): `{"id", "trustee", "fallbacks", "unit"|"topic", "expires", ...}`."""

from __future__ import annotations

from deliberation.members.payloads import member_ref

from .models import Delegation
from .selectors import Graph


def delegation_payload(d: Delegation) -> dict:
    entries = sorted(d.trustees.all(), key=lambda e: e.rank)
    return {
        "id": d.pk,
        "trustee": entries[0].trustee_id if entries else None,
        "fallbacks": [e.trustee_id for e in entries[1:]],
        "trustees": [member_ref(e.trustee) | {"rank": e.rank} for e in entries],
        "unit": d.unit_id,
        "topic": d.topic_id,
        "scope": "topic" if d.topic_id else "unit",
        "scope_name": str(d.unit or d.topic),
        "given": d.given,
        "expires": d.expires,
        "reminded": d.reminded_at is not None,
    }


def graph_payload(graph: Graph) -> dict:
    nodes = []
    for node in graph.nodes:
        person = graph.members.get(node["member"])
        nodes.append(
            {
                "member": node["member"],
                "username": person.username if person else None,
                "name": person.display_name if person else None,
                "weight": node["weight"],
            }
        )
    return {"nodes": nodes, "edges": graph.edges}
