"""`manage.py run_scheduler`: enqueue the periodic tasks whose time has come, every few
seconds (see `parcauto.core.scheduler`)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcauto.core.clock import LOCAL_TZ, now
from parcauto.core.scheduler import periodic_tasks, scheduler_run, scheduler_tick


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks of PARCAUTO_PERIODIC_TASKS at the times their cron "
        "expressions name (America/Toronto); the task workers (db_worker) run them. Runs "
        "until stopped (Ctrl-C, SIGTERM); --once runs a single tick, for tests. Safe to "
        "restart, and to run on several nodes: the runs enqueued are kept in the database, "
        "and on PostgreSQL one scheduler is active while the others stand by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick, then exit.")
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="Seconds to sleep between ticks (default 5).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            jobs = periodic_tasks()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if options["tick"] <= 0:
            raise CommandError("--tick must be more than 0 seconds")
        if options["once"]:
            for name in scheduler_tick(now=now()):
                self.stdout.write(f"enqueued {name}")
            return

        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        moment = now()
        self.stdout.write("Scheduler started, periodic tasks (America/Toronto):")
        for job in jobs:
            upcoming = job.next_slot(moment).astimezone(LOCAL_TZ)
            self.stdout.write(f"  {job.schedule:<16} {job.name} (next {upcoming:%Y-%m-%d %H:%M})")
        # Logs what it enqueues, and when it stands by for another node's scheduler.
        scheduler_run(stop=stop, tick_seconds=options["tick"])
        self.stdout.write("Scheduler stopped.")
