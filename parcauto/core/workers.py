"""Task workers that die are noticed, and their tasks go back to the queue.

django-tasks-db marks a task RUNNING when a worker claims it, and nothing more: a worker
killed (SIGKILL, out of memory, its machine lost) leaves the task RUNNING for ever. A
worker started by `manage.py run_worker` holds a PostgreSQL advisory lock named after
its worker id, on a connection of its own, for as long as it lives; PostgreSQL releases
it the moment that process or its machine is gone (no heartbeat, no timeout to tune).
Every worker, every few seconds, looks for RUNNING tasks whose worker's lock is free and
puts them back in the queue. Tasks are idempotent (docs/architecture.md), so running one
again is safe; one that was claimed `MAX_CLAIMS` times (it kills its worker: a poison
pill) is marked FAILED instead.

Only workers of `run_worker` are judged (their ids start with `WORKER_ID_PREFIX`): a plain
`db_worker` holds no lock, and its tasks are never taken from it. PostgreSQL only: on
SQLite (`make run`, one worker on one machine) nothing is done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

WORKER_ID_PREFIX = "parcauto-"
# The advisory locks' first key: ours, apart from any other lock taken on the database.
LOCK_NAMESPACE = 0x70617263  # "parc"
MAX_CLAIMS = 3
_LOCK_KEY = "%s, hashtext(%s)"


def worker_id_new() -> str:
    """A worker id that says where the worker runs: `parcauto-<host>-<pid>-<random>`."""
    host = socket.gethostname().split(".")[0][:24]
    return f"{WORKER_ID_PREFIX}{host}-{os.getpid()}-{get_random_string(8)}"


def _supported(wrapper: BaseDatabaseWrapper) -> bool:
    return wrapper.vendor == "postgresql"


class WorkerIdTaken(RuntimeError):
    """Another live worker has this worker id."""


class WorkerLock:
    """The worker's liveness lock, on a connection of its own.

    Its own connection because Django closes and reopens the worker's between tasks
    (CONN_MAX_AGE), and a session lock goes with the session that took it.
    """

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._connection: BaseDatabaseWrapper | None = None

    def take(self, *, wait: bool = False) -> None:
        """Take the lock; without `wait`, a worker of the same id already running is an
        error (two workers under one id would each be taken for the other)."""
        self._connection = connections.create_connection("default")
        self._connection.inc_thread_sharing()  # kept by the worker's watch thread
        function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        with self._connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}({_LOCK_KEY})", [LOCK_NAMESPACE, self.worker_id])
            taken = wait or cursor.fetchone()[0]
        if not taken:
            self.release()
            raise WorkerIdTaken(f"a worker with the id {self.worker_id} is already running")

    def keep(self) -> None:
        """Take the lock again if its connection was lost (PostgreSQL restarted): until
        then, others may have judged this worker dead and run its task again."""
        try:
            with self._connection.cursor() as cursor:  # type: ignore[union-attr]
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.warning("worker %s: lost its lock's connection, taking it again", self.worker_id)
            self.release()
            self.take(wait=True)  # the lost session may linger a moment on the server

    def release(self) -> None:
        """Give the lock back now (closing the connection alone gives it back once the
        server has seen the client go, a moment later)."""
        if self._connection is not None:
            with contextlib.suppress(DatabaseError), self._connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT pg_advisory_unlock({_LOCK_KEY})", [LOCK_NAMESPACE, self.worker_id]
                )
            with contextlib.suppress(DatabaseError):
                self._connection.close()
            self._connection = None


@contextlib.contextmanager
def worker_alive(worker_id: str) -> Iterator[WorkerLock | None]:
    """Hold the worker's lock while the block runs (PostgreSQL; None elsewhere)."""
    if not _supported(connection):
        yield None
        return
    lock = WorkerLock(worker_id)
    lock.take()
    try:
        yield lock
    finally:
        lock.release()


def worker_is_alive(worker_id: str) -> bool:
    """Whether the worker's lock is held (by a live worker). Call it on a connection
    that is not the worker's own lock connection (a session may retake its own lock)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({_LOCK_KEY})", [LOCK_NAMESPACE, worker_id])
        taken = cursor.fetchone()[0]
        if taken:  # nobody held it: give it back at once
            cursor.execute(f"SELECT pg_advisory_unlock({_LOCK_KEY})", [LOCK_NAMESPACE, worker_id])
    return not taken


def tasks_requeue_orphaned(*, limit: int = 100) -> list[tuple[str, str]]:
    """Put back in the queue the RUNNING tasks of dead workers; [(task id, what was done)].

    Each change is a conditional UPDATE on the row as it was read (still RUNNING, same
    claims), so two workers doing this at once change it once.
    """
    if not _supported(connection):
        return []
    done = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at")
    for task_id, worker_ids, task_path in running.values_list("id", "worker_ids", "task_path")[
        :limit
    ]:
        last = worker_ids[-1] if worker_ids else ""
        if not last.startswith(WORKER_ID_PREFIX) or worker_is_alive(last):
            continue
        same = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, worker_ids=worker_ids
        )
        changes: dict[str, Any]
        if len(worker_ids) >= MAX_CLAIMS:
            changes = {
                "status": TaskResultStatus.FAILED,
                "finished_at": timezone.now(),
                "exception_class_path": "parcauto.core.workers.WorkerDied",
                "traceback": f"its worker died {len(worker_ids)} times: not run again",
            }
            outcome = "failed"
        else:
            changes = {"status": TaskResultStatus.READY, "started_at": None}
            outcome = "requeued"
        if same.update(**changes):
            logger.warning(
                "task %s (%s) of the dead worker %s: %s", task_id, task_path, last, outcome
            )
            done.append((str(task_id), outcome))
    return done


def orphan_watch(
    *, stop: threading.Event, every_seconds: float, lock: WorkerLock | None
) -> threading.Thread:
    """A thread of the worker process that keeps its lock and requeues dead workers'
    tasks until `stop`."""

    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                if lock is not None:
                    lock.keep()
                close_old_connections()
                tasks_requeue_orphaned()
            except Exception:  # the database went away: try again next time
                logger.exception("looking for the tasks of dead workers failed")
        connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, name="orphan-watch", daemon=True)
    thread.start()
    return thread
