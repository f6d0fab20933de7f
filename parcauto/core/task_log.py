"""Each task: one JSON log line (name, duration, outcome, request id), under the id of the
request that queued it.

The id travels in the task's row: when django-tasks-db writes a new row while a request
(or a task) runs, its id goes into the row's `args_kwargs` under "meta", beside the
arguments, which the worker passes on untouched (`args` and `kwargs` only). When the
worker starts the task, that id becomes the current one again, so the task's own log
lines, and the tasks it queues in turn, carry it. A task no request queued (the
scheduler's) gets an id of its own. Connected in `CoreConfig.ready`; no task changes.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar, Token
from typing import Any

from django.tasks import TaskResult
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .logs import request_id_accepted, request_id_current, request_id_reset, request_id_set

logger = logging.getLogger("parcauto.task")

# The tasks running in this context, innermost last (the immediate backend runs a task
# queued by a task inside it): when each started, and the request id to restore after it.
_running: ContextVar[tuple[tuple[float, Token[str]], ...]] = ContextVar(
    "parcauto_running_tasks", default=()
)


def request_id_stamp(sender: type[DBTaskResult], instance: DBTaskResult, **kwargs: Any) -> None:
    """pre_save of a task row: a new row records the current request id."""
    request_id = request_id_current()
    if instance._state.adding and request_id:
        instance.args_kwargs = {**instance.args_kwargs, "meta": {"request_id": request_id}}


def _queued_by(task_result: TaskResult[Any, Any]) -> str:
    db_result = getattr(task_result, "db_result", None)  # django-tasks-db's results only
    meta = db_result.args_kwargs.get("meta", {}) if db_result is not None else {}
    return meta.get("request_id", "") if isinstance(meta, dict) else ""


def task_started(sender: type, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    request_id = request_id_accepted(_queued_by(task_result) or request_id_current())
    token = request_id_set(request_id)
    _running.set((*_running.get(), (time.perf_counter(), token)))


def task_finished(sender: type, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    running = _running.get()
    started, token = running[-1] if running else (None, None)
    failed = task_result.status == TaskResultStatus.FAILED
    fields: dict[str, object] = {
        "task": task_result.task.module_path,
        "request_id": request_id_current(),
        "task_id": str(task_result.id),
        "outcome": "failed" if failed else "successful",
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }
    if failed and task_result.errors:
        fields["error"] = task_result.errors[-1].exception_class_path
    # A warning, not an error: Django's own "django.tasks" record of the failure is the
    # error, with its traceback (and the one Sentry reports).
    logger.log(logging.WARNING if failed else logging.INFO, "task", extra={"fields": fields})
    if token is not None:
        _running.set(running[:-1])
        request_id_reset(token)
