"""The task backend of the tests: each task runs at once, as a worker would run it."""

from __future__ import annotations

from typing import Any

from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import TaskResultStatus

from tests.scoping import unscoped


class WorkerLikeBackend(ImmediateBackend):
    """Django's immediate backend, with each task started in no tenant scope (a worker
    has none: the task enters its institution's), whatever the scope of the test or of
    the request that queued it."""

    def _execute_task(self, task_result: Any) -> None:
        unscoped(super()._execute_task)(task_result)
        if task_result.status == TaskResultStatus.FAILED:
            raise AssertionError(task_result.errors[-1].traceback)
