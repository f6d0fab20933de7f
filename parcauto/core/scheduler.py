"""One scheduler for every periodic job: it enqueues due tasks, the task workers run them.

The registry is `settings.PARCAUTO_PERIODIC_TASKS` (dotted path of a task -> interval in
seconds). When a task was last enqueued is kept in the database (PeriodicTaskRun), so a
restarted scheduler, or two schedulers started by mistake, never enqueue a task twice
within its interval: taking a due run is one conditional UPDATE, like a quota unit, and
the enqueue happens in the same transaction (the database task backend writes its row
there too), so a crash between the two loses nothing and doubles nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.tasks import Task
from django.utils.module_loading import import_string

from .clock import now as clock_now
from .models import PeriodicTaskRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str  # the dotted path, also the PeriodicTaskRun name
    interval: dt.timedelta
    task: Task


def periodic_tasks() -> list[PeriodicTask]:
    """The registry, checked: a wrong path or interval fails at start-up, loudly."""
    registry = getattr(settings, "PARCAUTO_PERIODIC_TASKS", {})
    jobs = []
    for name, seconds in registry.items():
        try:
            task = import_string(name)
        except ImportError as error:
            raise ImproperlyConfigured(f"PARCAUTO_PERIODIC_TASKS: cannot import {name}") from error
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"PARCAUTO_PERIODIC_TASKS: {name} is not a @task")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 1:
            raise ImproperlyConfigured(
                f"PARCAUTO_PERIODIC_TASKS: the interval of {name} must be a whole number "
                f"of seconds (1 or more), not {seconds!r}"
            )
        jobs.append(PeriodicTask(name=name, interval=dt.timedelta(seconds=seconds), task=task))
    return jobs


def periodic_task_claim(*, name: str, interval: dt.timedelta, now: dt.datetime) -> bool:
    """Record `name` as enqueued at `now` if it is due; False if a run is still recent.

    Call it inside the transaction that enqueues the task.
    """
    if PeriodicTaskRun.objects.filter(name=name, last_enqueued_at__lte=now - interval).update(
        last_enqueued_at=now
    ):
        return True
    if PeriodicTaskRun.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            PeriodicTaskRun.objects.create(name=name, last_enqueued_at=now)
    except IntegrityError:  # another scheduler recorded its first run just now
        return False
    return True


def scheduler_tick(*, now: dt.datetime) -> list[str]:
    """Enqueue every due periodic task once; returns the names enqueued."""
    enqueued = []
    for job in periodic_tasks():
        try:
            with transaction.atomic():
                if not periodic_task_claim(name=job.name, interval=job.interval, now=now):
                    continue
                job.task.enqueue()
        except Exception:
            # The claim rolled back with the failed enqueue: the next tick tries again.
            # One broken job must not hold back the others.
            logger.exception("could not enqueue the periodic task %s", job.name)
            continue
        enqueued.append(job.name)
    return enqueued


def scheduler_run(
    *,
    stop: threading.Event,
    tick_seconds: float,
    clock: Callable[[], dt.datetime] = clock_now,
    on_enqueued: Callable[[str], None] | None = None,
) -> None:
    """Tick until `stop` is set (a signal handler sets it), sleeping between ticks."""
    while True:
        if not connection.in_atomic_block:  # (a test runs the loop inside its transaction)
            close_old_connections()  # a long-lived process: drop broken or old connections
        for name in scheduler_tick(now=clock()):
            logger.info("enqueued the periodic task %s", name)
            if on_enqueued is not None:
                on_enqueued(name)
        if stop.wait(tick_seconds):
            return
