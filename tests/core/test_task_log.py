"""Each task: one log line under the id of the request that queued it, carried through the
database queue to the worker, and on to the tasks it queues in turn."""

from __future__ import annotations

import logging

import pytest
from django.tasks import task
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from parcauto.core.logs import request_id_bound, request_id_current
from parcauto.notifications.models import OutboundEmail
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

REQUEST_ID = "req-0123456789abcdef"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def seen_request_id() -> str:
    """What a task sees as its request id."""
    return request_id_current()


@task()
def queue_another() -> str:
    seen_request_id.enqueue()
    return request_id_current()


@task()
def fail() -> None:
    raise ValueError("no luck")


@pytest.fixture
def task_lines(caplog):
    caplog.set_level(logging.INFO, logger="parcauto.task")
    return lambda: [r for r in caplog.records if r.name == "parcauto.task"]


def _work_off() -> list[DBTaskResult]:
    """Run every queued task as `manage.py db_worker` does, in no request; the rows run."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = []
    while row := DBTaskResult.objects.ready().order_by("enqueued_at").first():
        row.claim("test")
        worker.run_task(row)
        ran.append(DBTaskResult.objects.get(pk=row.pk))
    return ran


def test_a_task_queued_by_a_request_runs_under_its_id_in_the_worker(settings, task_lines):
    settings.TASKS = DATABASE_QUEUE
    with request_id_bound(REQUEST_ID):
        seen_request_id.enqueue()
    assert request_id_current() == ""  # the worker is another process, in no request

    [row] = _work_off()

    assert row.args_kwargs == {"args": [], "kwargs": {}, "meta": {"request_id": REQUEST_ID}}
    assert row.return_value == REQUEST_ID
    [line] = task_lines()
    assert line.levelname == "INFO"
    assert line.fields["request_id"] == REQUEST_ID
    assert line.fields["task"] == "tests.core.test_task_log.seen_request_id"
    assert line.fields["outcome"] == "successful"
    assert line.fields["duration_ms"] >= 0
    assert request_id_current() == ""  # and restored after it


def test_the_id_follows_the_tasks_a_task_queues(settings):
    settings.TASKS = DATABASE_QUEUE
    with request_id_bound(REQUEST_ID):
        queue_another.enqueue()
    first, second = _work_off()
    assert (first.return_value, second.return_value) == (REQUEST_ID, REQUEST_ID)
    assert second.args_kwargs["meta"] == {"request_id": REQUEST_ID}


def test_a_task_no_request_queued_gets_an_id_of_its_own(settings, task_lines):
    settings.TASKS = DATABASE_QUEUE
    seen_request_id.enqueue()
    [row] = _work_off()
    assert "meta" not in row.args_kwargs
    assert len(row.return_value) == 32
    assert task_lines()[0].fields["request_id"] == row.return_value


def test_a_failed_task_says_so_and_what_it_raised(settings, task_lines):
    settings.TASKS = DATABASE_QUEUE
    with request_id_bound(REQUEST_ID):
        fail.enqueue()
    _work_off()
    [line] = task_lines()
    assert line.levelname == "WARNING"
    assert line.fields["outcome"] == "failed"
    assert line.fields["error"] == "builtins.ValueError"
    assert line.fields["request_id"] == REQUEST_ID


def test_with_the_immediate_backend_a_task_runs_under_the_current_id(task_lines):
    with request_id_bound(REQUEST_ID):
        assert queue_another.enqueue().return_value == REQUEST_ID
    inner, outer = task_lines()
    assert inner.fields["task"].endswith("seen_request_id")
    assert outer.fields["task"].endswith("queue_another")
    assert {inner.fields["request_id"], outer.fields["request_id"]} == {REQUEST_ID}
    assert request_id_current() == ""


@pytest.mark.django_db(transaction=True)
def test_a_request_s_own_id_reaches_the_e_mail_task_it_queues(settings, organization):
    """A password reset asked with X-Request-ID: its e-mail's task row carries that id."""
    settings.TASKS = DATABASE_QUEUE
    ProfileFactory(user=UserFactory(email="marie@example.com"))
    Client(HTTP_HOST="chus.testserver").post(
        "/accounts/password/reset/", {"email": "marie@example.com"}, HTTP_X_REQUEST_ID=REQUEST_ID
    )
    [row] = DBTaskResult.objects.all()
    assert row.task_path == "parcauto.notifications.tasks.deliver_email"
    assert row.args_kwargs["meta"] == {"request_id": REQUEST_ID}
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
