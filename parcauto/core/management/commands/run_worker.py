"""`manage.py run_worker`: django-tasks-db's `db_worker`, whose death is noticed.

The same options as `db_worker`. The worker holds its liveness lock while it runs, and
a thread of it puts back in the queue the tasks of workers that died (`core.workers`).
"""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from parcauto.core.workers import WorkerIdTaken, orphan_watch, worker_alive, worker_id_new


class Command(db_worker.Command):
    help = (
        "Run a task worker (django-tasks-db's db_worker). On PostgreSQL it holds a lock "
        "while it lives, and puts back in the queue the tasks of workers that died."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id_new())
        parser.add_argument(
            "--orphan-check",
            type=float,
            default=10.0,
            help="Seconds between looks for the tasks of dead workers (default 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        every = options.pop("orphan_check")
        try:
            with worker_alive(options["worker_id"]) as lock:
                watcher = orphan_watch(stop=stop, every_seconds=every, lock=lock)
                try:
                    super().handle(*args, **options)
                finally:
                    stop.set()
                    watcher.join(timeout=5)
        except WorkerIdTaken as error:  # only when taking the lock, at the start
            raise CommandError(str(error)) from error
