"""Queueing a task as part of the work that asks for it."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task
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
