"""One scheduler for every periodic job, on the calendar: it enqueues due tasks, the task
workers run them.

The registry is `settings.PARCAUTO_PERIODIC_TASKS`: dotted path of a task -> a cron
expression, read in America/Toronto (`0 2 * * *` is 02:00 in Quebec, winter and
summer). Expressions are evaluated by `cronsim`, which follows Debian cron across the
clock changes: a time the spring-forward night skips (02:00-02:59) runs once at 03:00,
a time the fall-back night repeats (01:00-01:59) runs once, at its first occurrence,
and "every N minutes" (`*/5 * * * *`) keeps following real time.

Each tick enqueues a job whose latest scheduled time ("slot") has come and was not yet
enqueued. The slot enqueued last is kept in the database (`PeriodicTaskRun`): a
scheduler that was down at 02:00 enqueues the 02:00 run once when it comes back (the
latest missed run, not one per missed time), and a restart never repeats one. Taking a
slot is one conditional UPDATE (`slot < :slot`), like a quota unit, in the transaction
that enqueues (the database task backend writes its row there too): a crash between the
two loses nothing and doubles nothing, and two schedulers never enqueue the same slot.

Several nodes may run the scheduler: on PostgreSQL one of them is active, the holder of
an advisory lock (`scheduler_lock`), the others stand by. On SQLite there is one node.

Why our loop and not `django-crontask`: it is APScheduler's in-memory scheduler behind a
decorator. Its only lock across nodes is a Redis lock (without `REDIS_URL` every node
runs every job), a run missed while it was down is lost (APScheduler keeps no state
here), and the enqueue is not in a transaction with any record of it. What we keep from
the idea is the cron expression, evaluated by a maintained parser.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.tasks import Task
from django.utils.module_loading import import_string

from .clock import LOCAL_TZ
from .clock import now as clock_now
from .models import PeriodicTaskRun
from .scheduler_lock import SchedulerLock, connection_keep

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str  # the dotted path, also the PeriodicTaskRun name
    schedule: str  # a cron expression, local time
    task: Task

    def slot(self, now: dt.datetime) -> dt.datetime:
        return schedule_latest(self.schedule, now)

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        return next(CronSim(self.schedule, now.astimezone(LOCAL_TZ)))


def schedule_latest(schedule: str, now: dt.datetime) -> dt.datetime:
    """The latest time `schedule` names at or before `now` (to the second), local time."""
    # cronsim's reverse iteration starts strictly before its start: start one second on.
    # The second is added in UTC: local arithmetic is wall-clock arithmetic and would
    # lose the fold of the repeated hour (01:00 EST + 1 s read as 01:00:01 EDT).
    start = now.astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    return next(CronSim(schedule, start.astimezone(LOCAL_TZ), reverse=True))


def periodic_tasks() -> list[PeriodicTask]:
    """The registry, checked: a wrong path or expression fails at start-up, loudly."""
    registry = getattr(settings, "PARCAUTO_PERIODIC_TASKS", {})
    jobs = []
    for name, schedule in registry.items():
        try:
            task = import_string(name)
        except ImportError as error:
            raise ImproperlyConfigured(f"PARCAUTO_PERIODIC_TASKS: cannot import {name}") from error
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"PARCAUTO_PERIODIC_TASKS: {name} is not a @task")
        try:
            if not isinstance(schedule, str):
                raise CronSimError("not a string")
            CronSim(schedule, clock_now().astimezone(LOCAL_TZ))
        except CronSimError as error:
            raise ImproperlyConfigured(
                f"PARCAUTO_PERIODIC_TASKS: the schedule of {name} must be a cron expression "
                f"such as '0 2 * * *' (02:00 every day), not {schedule!r} ({error})"
            ) from None
        jobs.append(PeriodicTask(name=name, schedule=schedule, task=task))
    return jobs


def periodic_task_claim(*, name: str, slot: dt.datetime, now: dt.datetime) -> bool:
    """Record `slot` of `name` as enqueued (at `now`), if it was not yet: True once.

    Call it inside the transaction that enqueues the task.
    """
    if PeriodicTaskRun.objects.filter(Q(slot__lt=slot) | Q(slot__isnull=True), name=name).update(
        slot=slot, last_enqueued_at=now
    ):
        return True
    if PeriodicTaskRun.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            PeriodicTaskRun.objects.create(name=name, slot=slot, last_enqueued_at=now)
    except IntegrityError:  # another scheduler recorded its first run just now
        return False
    return True


def scheduler_tick(*, now: dt.datetime) -> list[str]:
    """Enqueue every periodic task whose time has come, once; returns the names enqueued."""
    enqueued = []
    for job in periodic_tasks():
        try:
            with transaction.atomic():
                if not periodic_task_claim(name=job.name, slot=job.slot(now), now=now):
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
    on_standby: Callable[[], None] | None = None,
) -> None:
    """Tick until `stop` is set (a signal handler sets it), sleeping between ticks; on
    PostgreSQL only while holding the scheduler lock, standing by otherwise."""
    lock = SchedulerLock()
    standing_by = False
    try:
        while True:
            if not connection.in_atomic_block:  # (a test runs the loop inside its transaction)
                connection_keep()  # a long-lived process: drop a broken connection
            if lock.acquire():
                standing_by = False
                for name in scheduler_tick(now=clock()):
                    logger.info("enqueued the periodic task %s", name)
                    if on_enqueued is not None:
                        on_enqueued(name)
            elif not standing_by:
                standing_by = True
                logger.info("another scheduler is active: standing by")
                if on_standby is not None:
                    on_standby()
            if stop.wait(tick_seconds):
                return
    finally:
        lock.release()
