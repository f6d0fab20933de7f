"""A task worker that dies gives its task back to the queue (PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parcauto.core.workers import (
    MAX_CLAIMS,
    WorkerIdTaken,
    tasks_requeue_orphaned,
    worker_alive,
    worker_id_new,
    worker_is_alive,
)

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="worker liveness is a PostgreSQL advisory lock",
)
ROOT = Path(__file__).resolve().parents[2]


def _running(worker_ids: list[str]) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.core.worker_tasks.wait_then_mark",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
        worker_ids=worker_ids,
    )


@pytest.mark.django_db
def test_a_task_of_a_live_worker_stays_running_and_of_a_dead_one_goes_back():
    worker = worker_id_new()
    task = _running([worker])
    with worker_alive(worker):
        assert worker_is_alive(worker)
        assert tasks_requeue_orphaned() == []
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
    assert not worker_is_alive(worker)
    assert tasks_requeue_orphaned() == [(str(task.pk), "requeued")]
    task.refresh_from_db()
    assert (task.status, task.started_at) == (TaskResultStatus.READY, None)
    assert tasks_requeue_orphaned() == []  # once


@pytest.mark.django_db
def test_a_second_worker_under_the_same_id_is_refused():
    worker = worker_id_new()
    with worker_alive(worker), pytest.raises(WorkerIdTaken), worker_alive(worker):
        pass  # pragma: no cover - never reached


@pytest.mark.django_db
def test_a_worker_that_lost_its_lock_s_connection_takes_the_lock_again():
    worker = worker_id_new()
    with worker_alive(worker) as lock:
        lock._connection.connection.close()  # as when PostgreSQL restarts
        _wait_for(lambda: not worker_is_alive(worker), logs=Path("/nonexistent"), seconds=5)
        lock.keep()
        assert worker_is_alive(worker)
    assert not worker_is_alive(worker)


@pytest.mark.django_db
def test_a_task_that_killed_its_workers_too_often_fails_and_others_are_not_ours():
    poison = _running([worker_id_new() for _ in range(MAX_CLAIMS)])
    foreign = _running(["a-plain-db-worker-id"])  # no lock to judge it by: left alone
    assert tasks_requeue_orphaned() == [(str(poison.pk), "failed")]
    poison.refresh_from_db()
    foreign.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert "died 3 times" in poison.traceback
    assert foreign.status == TaskResultStatus.RUNNING


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "manage.py", "run_worker", "--interval", "0.1"]
    command += ["--orphan-check", "0.5", "--no-startup-delay", "--no-reload"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603


def _wait_for(condition, *, logs: Path, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tails = {log.name: log.read_text()[-1500:] for log in logs.glob("*.log")}
            raise AssertionError(f"timed out; the workers' logs: {tails}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_is_run_to_the_end_by_another(tmp_path, settings):
    from tests.core.worker_tasks import wait_then_mark

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DJANGO_DEBUG": "true",
        "PARCAUTO_VAR_DIR": str(tmp_path / "var"),
    }
    result = wait_then_mark.enqueue(directory=str(tmp_path))
    first = _worker(env, tmp_path / "first.log")
    try:
        _wait_for(lambda: (tmp_path / "started-1").exists(), logs=tmp_path)
        second = _worker(env, tmp_path / "second.log")
        try:
            os.kill(first.pid, signal.SIGKILL)  # mid-task, as a lost machine would
            first.wait(timeout=10)
            _wait_for(lambda: (tmp_path / "started-2").exists(), logs=tmp_path)  # by the second
            (tmp_path / "release").touch()
            _wait_for(
                lambda: (
                    DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
                ),
                logs=tmp_path,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    row = DBTaskResult.objects.get(pk=result.id)
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert sorted(p.name for p in tmp_path.glob("started-*")) == ["started-1", "started-2"]
