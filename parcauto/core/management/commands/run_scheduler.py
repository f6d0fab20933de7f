"""`manage.py run_scheduler`: enqueue the periodic tasks that are due, every few seconds."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcauto.core.clock import now
from parcauto.core.scheduler import periodic_tasks, scheduler_run, scheduler_tick


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks of PARCAUTO_PERIODIC_TASKS when they are due; the "
        "task workers (db_worker) run them. Runs until stopped (Ctrl-C, SIGTERM); --once "
        "runs a single tick, for cron or tests. Safe to restart: the last enqueue time of "
        "each task is kept in the database."
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
        listed = ", ".join(f"{job.name} every {job.interval}" for job in jobs) or "none"
        self.stdout.write(f"Scheduler started, periodic tasks: {listed}")
        scheduler_run(stop=stop, tick_seconds=options["tick"])  # logs what it enqueues
        self.stdout.write("Scheduler stopped.")
