"""Card declines for Prometheus, read from the database at each scrape (core.metrics)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.metrics_core import CounterMetricFamily, Metric

from parcauto.tenants.scoping import institutions_counted

from .models import PaymentAttempt


def declines_metrics() -> Iterator[Metric]:
    declines = CounterMetricFamily(
        "parcauto_card_declines",
        "Card charges the gateway declined, by institution.",
        labels=["organization"],
    )
    with institutions_counted() as slugs:
        rows = (
            PaymentAttempt.objects.filter(
                kind=PaymentAttempt.Kind.PURCHASE, status=PaymentAttempt.Status.DECLINED
            )
            .values("organization")
            .annotate(count=Count("id"))
            .order_by()
        )
        for row in rows:
            declines.add_metric([slugs[row["organization"]]], row["count"])
    yield declines
