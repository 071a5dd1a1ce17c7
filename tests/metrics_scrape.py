"""Read one sample from /metrics as Prometheus sees it (the endpoint, not the
client library's registry)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "m" * 32


def scrape(client, settings) -> dict[tuple[str, tuple], float]:
    settings.METRICS_TOKEN = TOKEN
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.content.decode())
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
