"""Nightly housekeeping the scheduler runs (PARCAUTO_PERIODIC_TASKS)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks_db import DatabaseBackend


@task()
def prune_task_results() -> str:
    """Finished task results older than PARCAUTO_TASK_RESULTS_KEEP_DAYS are deleted (the
    failed ones kept six times as long, for whoever looks into them): the queue's table
    would otherwise grow by every e-mail, charge and minute of the retry job, for ever."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return "not the database task backend: nothing to prune"
    days = settings.PARCAUTO_TASK_RESULTS_KEEP_DAYS
    output = io.StringIO()
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=days,
        failed_min_age_days=days * 6,
        verbosity=1,
        stdout=output,
    )
    return output.getvalue().strip()
