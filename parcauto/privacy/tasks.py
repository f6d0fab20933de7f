"""The privacy app's periodic job (the tasks its services queue: `services.background`)."""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now

from .services.retention import retention_run


@task()
def run_retention() -> dict[str, int]:
    """The daily retention job (registered in PARCAUTO_PERIODIC_TASKS)."""
    return retention_run(now=now(), dry_run=False).totals()
