"""Prometheus metrics: what the requests of this process counted, and what the database says.

Two kinds, chosen for what stays true when many processes on many nodes serve the site:

- Requests (count by method, status class and route; latency) are counted by the process
  that served them. gunicorn runs several processes, so production sets
  `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode: each process writes
  its counts to a file there, and a scrape adds up every file of the node); without it a
  scrape sees the one process that answered it (`check --deploy` warns, W001).
- Everything with a row behind it (sales, card declines, e-mails waiting or failed,
  billing runs, the task queue) is read from the database at scrape time by a *source*:
  the same answer from any process of any node, nothing lost at a restart, nothing
  counted twice. Each app registers its sources in its AppConfig.ready
  (`metrics_source_register`), so this module imports none of them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

MetricsSource = Callable[[], Iterable[Metric]]
_SOURCES: dict[str, MetricsSource] = {}

# Methods outside this set are counted as "other": a label never takes what a client sends.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_REQUESTS = Counter(
    "parcauto_http_requests",
    "HTTP requests answered, by method, status class and route (URL name).",
    ["method", "status", "route"],
    registry=None,
)
_LATENCY = Histogram(
    "parcauto_http_request_duration_seconds",
    "Time to answer a request, by route (URL name).",
    ["route"],
    registry=None,
)


def request_observe(*, method: str, status: int, route: str, seconds: float) -> None:
    """Count one answered request (`route`: its URL name, "unmatched" when none)."""
    method = method if method in _METHODS else "other"
    _REQUESTS.labels(method=method, status=f"{status // 100}xx", route=route).inc()
    _LATENCY.labels(route=route).observe(seconds)


def metrics_source_register(name: str, source: MetricsSource) -> None:
    """Have `source` read its metrics from the database at each scrape."""
    _SOURCES[name] = source


class _Sources:
    """The registered sources, each read at scrape time; one that fails is logged and left
    out, so that the others are still reported."""

    def collect(self) -> Iterator[Metric]:
        for name, source in _SOURCES.items():
            try:
                yield from list(source())
            except Exception:
                logger.exception("metrics source %s failed", name)


def metrics_exposition() -> bytes:
    """Every metric, in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every process's requests on this node
    else:
        registry.register(_REQUESTS)
        registry.register(_LATENCY)
    registry.register(_Sources())
    return generate_latest(registry)


def task_queue_metrics() -> Iterator[Metric]:
    """The task queue (django-tasks-db's table): tasks by status, and per queue how many
    are ready to run and how long the oldest of them has waited."""
    by_status = GaugeMetricFamily(
        "parcauto_tasks", "Task rows by status (finished ones until pruned).", labels=["status"]
    )
    statuses = DBTaskResult.objects.values("status").annotate(count=Count("id")).order_by()
    for status in statuses:
        by_status.add_metric([status["status"].lower()], status["count"])
    yield by_status

    # A deferred task waits from its run_after, any other from when it was queued.
    ready_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    ready = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(count=Count("id"), oldest=Min(ready_since))
        .order_by()
    )
    depth = GaugeMetricFamily(
        "parcauto_task_queue_depth", "Tasks ready to run, not yet taken.", labels=["queue"]
    )
    age = GaugeMetricFamily(
        "parcauto_task_queue_oldest_age_seconds",
        "How long the oldest task ready to run has waited.",
        labels=["queue"],
    )
    now = timezone.now()
    for row in ready:
        depth.add_metric([row["queue_name"]], row["count"])
        age.add_metric([row["queue_name"]], max((now - row["oldest"]).total_seconds(), 0.0))
    yield depth
    yield age
