"""The latest billing run for Prometheus, read from the database at each scrape
(core.metrics): whether it runs, when it started and ended, and its counts so far."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from .models import BillingRun

# The run's counters, reported as parcauto_billing_run_items{item=...}.
_ITEMS = (
    "contracts_seen",
    "invoices_created",
    "charges_approved",
    "charges_declined",
    "files_created",
    "interest_invoices",
    "suspended",
    "cancelled",
)


def billing_run_metrics() -> Iterator[Metric]:
    run = BillingRun.objects.order_by("-started_at").first()
    if run is None:
        return
    info = GaugeMetricFamily(
        "parcauto_billing_run_info",
        "The latest billing run: its date, status and current step (value 1).",
        labels=["run_date", "status", "phase"],
    )
    info.add_metric([run.run_date.isoformat(), run.status, run.phase], 1)
    yield info
    running = GaugeMetricFamily(
        "parcauto_billing_run_running", "1 while the latest billing run is running."
    )
    running.add_metric([], 1 if run.status == BillingRun.Status.RUNNING else 0)
    yield running
    started = GaugeMetricFamily(
        "parcauto_billing_run_started_timestamp_seconds", "When the latest billing run started."
    )
    started.add_metric([], run.started_at.timestamp())
    yield started
    if run.finished_at is not None:
        finished = GaugeMetricFamily(
            "parcauto_billing_run_finished_timestamp_seconds",
            "When the latest billing run finished.",
        )
        finished.add_metric([], run.finished_at.timestamp())
        yield finished
    items = GaugeMetricFamily(
        "parcauto_billing_run_items",
        "The latest billing run's progress: contracts seen, invoices, charges, files...",
        labels=["item"],
    )
    for item in _ITEMS:
        items.add_metric([item], getattr(run, item))
    yield items
