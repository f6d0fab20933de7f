"""GET /metrics: a bearer token or nothing, the requests counted by route, the task queue
read from its table at scrape time."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db.models import F
from django.tasks import task
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from parcauto.core import metrics
from tests.metrics import sample, scrape

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-metrics-token-0123456789abcdef"  # tests/settings.py
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "billing"]}
}


@task()
def nothing() -> None:
    pass


def test_without_a_token_configured_there_are_no_metrics(client, settings):
    settings.PARCAUTO_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer", "Bearer é"],
)
def test_anything_but_the_token_is_refused(client, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"parcauto_" not in response.content


def test_the_token_opens_them(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"


def test_only_get(client):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


def test_requests_are_counted_by_method_status_class_and_route(client):
    labels = {"method": "GET", "status": "2xx", "route": "healthz"}
    other = {"method": "other", "status": "2xx", "route": "healthz"}
    start = scrape(client)
    before = sample(start, "parcauto_http_requests_total", **labels) or 0
    other_before = sample(start, "parcauto_http_requests_total", **other) or 0
    client.get("/healthz/")
    client.get("/healthz/")
    client.generic("BREW", "/healthz/")  # a method of no standard: counted as "other"
    samples = scrape(client)
    assert sample(samples, "parcauto_http_requests_total", **labels) == before + 2
    assert sample(samples, "parcauto_http_requests_total", **other) == other_before + 1
    count = sample(samples, "parcauto_http_request_duration_seconds_count", route="healthz")
    assert count is not None and count >= before + 2
    assert sample(
        samples, "parcauto_http_request_duration_seconds_bucket", route="healthz", le="+Inf"
    )


def test_the_queue_depth_and_the_age_of_its_oldest_ready_task(client, settings):
    settings.TASKS = DATABASE_QUEUE
    start = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        nothing.enqueue()
        clock.shift(dt.timedelta(seconds=30))
        nothing.enqueue()
        nothing.using(queue_name="billing").enqueue()
        nothing.using(run_after=start + dt.timedelta(hours=1)).enqueue()  # not ready yet
        clock.shift(dt.timedelta(seconds=90))
        samples = scrape(client)

    assert sample(samples, "parcauto_task_queue_depth", queue="default") == 2
    assert sample(samples, "parcauto_task_queue_depth", queue="billing") == 1
    assert sample(samples, "parcauto_task_queue_oldest_age_seconds", queue="default") == 120
    assert sample(samples, "parcauto_task_queue_oldest_age_seconds", queue="billing") == 90
    assert sample(samples, "parcauto_tasks", status="ready") == 4


def test_a_deferred_task_waits_from_its_run_after(client, settings):
    settings.TASKS = DATABASE_QUEUE
    start = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        nothing.using(run_after=start + dt.timedelta(minutes=10)).enqueue()
        clock.shift(dt.timedelta(minutes=15))
        samples = scrape(client)
    assert sample(samples, "parcauto_task_queue_oldest_age_seconds", queue="default") == 300


def test_running_and_failed_tasks_are_counted_by_status(client, settings):
    settings.TASKS = DATABASE_QUEUE
    nothing.enqueue()
    nothing.enqueue()
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.first().pk).update(
        status="FAILED", finished_at=F("enqueued_at")
    )
    samples = scrape(client)
    assert sample(samples, "parcauto_tasks", status="failed") == 1
    assert sample(samples, "parcauto_tasks", status="ready") == 1
    assert sample(samples, "parcauto_task_queue_depth", queue="default") == 1


def test_a_source_that_fails_leaves_the_others_reported(client, caplog):
    def broken():
        raise RuntimeError("database away")

    metrics.metrics_source_register("broken", broken)
    try:
        samples = scrape(client)
    finally:
        del metrics._SOURCES["broken"]
    assert sample(samples, "parcauto_emails_oldest_waiting_age_seconds") == 0
    assert "metrics source broken failed" in caplog.text


def _python(code: str, multiproc_dir: Path) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_process(tmp_path):
    """Two gunicorn workers answer a request each; the scrape, by a third, counts both."""
    answer = (
        "from parcauto.core.metrics import request_observe; "
        "request_observe(method='GET', status=200, route='healthz', seconds=0.01)"
    )
    _python(answer, tmp_path)
    _python(answer, tmp_path)
    text = _python(
        "import sys; from parcauto.core import metrics; metrics._SOURCES.clear(); "
        "sys.stdout.write(metrics.metrics_exposition().decode())",
        tmp_path,
    )
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = frozenset({"method": "GET", "status": "2xx", "route": "healthz"}.items())
    assert samples[("parcauto_http_requests_total", labels)] == 2
    assert (
        samples[("parcauto_http_request_duration_seconds_count", frozenset({("route", "healthz")}))]
        == 2
    )
