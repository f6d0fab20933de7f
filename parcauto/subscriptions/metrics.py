"""Sales for Prometheus, read from the database at each scrape (core.metrics)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.metrics_core import CounterMetricFamily, Metric

from parcauto.tenants.scoping import institutions_counted

from .models import Subscription


def sales_metrics() -> Iterator[Metric]:
    sales = CounterMetricFamily(
        "parcauto_sales",
        "Subscription requests submitted (each sale), by institution.",
        labels=["organization"],
    )
    with institutions_counted() as slugs:
        rows = (
            Subscription.objects.filter(submitted_at__isnull=False)
            .values("organization")
            .annotate(count=Count("id"))
            .order_by()
        )
        for row in rows:
            sales.add_metric([slugs[row["organization"]]], row["count"])
    yield sales
