"""Queueing a task as part of the work that asks for it."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.tasks import Task
from django.utils.module_loading import import_string
from django_tasks_db import DatabaseBackend


def enqueue_with_transaction(task: Task[..., Any], **kwargs: Any) -> None:
    """Queue `task` so that it exists if, and only if, the current transaction commits.

    With the database backend (production's) its row is written inside the transaction:
    it commits or rolls back with the work (nothing is lost if the process dies between
    the commit and the queueing), and no second transaction follows the commit. Other
    backends (the immediate one of the tests) queue it after commit.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, **kwargs))


@cache
def task_named(path: str) -> Task[..., Any]:
    """The task at dotted `path`; a wrong path is a configuration error, said loudly."""
    try:
        task = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"no task at {path}") from error
    if not isinstance(task, Task):
        raise ImproperlyConfigured(f"{path} is not a @task")
    return task


def enqueue_by_name(path: str, **kwargs: Any) -> None:
    """Queue the task at dotted `path` with the current transaction (as above).

    How a lower layer sets off work in a higher one without importing it: the higher
    app's module is loaded when the task is queued, by name, as the workers load it.
    """
    enqueue_with_transaction(task_named(path), **kwargs)
