"""Reading /metrics as Prometheus does: each sample's value by name and labels."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: Client | None = None) -> Samples:
    response = (client or Client()).get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.PARCAUTO_METRICS_TOKEN}"
    )
    assert response.status_code == 200, response.content
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))
