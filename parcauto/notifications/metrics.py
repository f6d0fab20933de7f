"""The outbox for Prometheus, read from the database at each scrape (core.metrics)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from .models import OutboundEmail


def outbox_metrics() -> Iterator[Metric]:
    unsent = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT)
    emails = GaugeMetricFamily(
        "parcauto_emails_unsent",
        "E-mails not sent (yet), by status: waiting to be sent, or failed.",
        labels=["status"],
    )
    for row in unsent.values("status").annotate(count=Count("id")).order_by():
        emails.add_metric([row["status"]], row["count"])
    yield emails
    oldest = unsent.exclude(status=OutboundEmail.Status.FAILED).aggregate(at=Min("created_at"))
    age = GaugeMetricFamily(
        "parcauto_emails_oldest_waiting_age_seconds",
        "How long the oldest e-mail waiting to be sent has waited (0: none waits).",
    )
    waited = (timezone.now() - oldest["at"]).total_seconds() if oldest["at"] else 0.0
    age.add_metric([], max(waited, 0.0))
    yield age
