"""Exactly one active scheduler when several nodes run one: a PostgreSQL advisory lock.

The scheduler that holds the session lock `pg_try_advisory_lock(LOCK_KEY)` ticks; the
others stand by and try again at each of their ticks. PostgreSQL releases the lock when
the holder's connection ends (the process died, the node went away, the network broke),
so a standby takes over within one tick, with no lease to tune and no clock to trust.

The lock is an optimisation of who works, not the guarantee: the guarantee is the
conditional UPDATE of `PeriodicTaskRun` (`scheduler.periodic_task_claim`), which also
holds on SQLite, where there is no such lock and every scheduler is active.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

# "parcauto" in ASCII, as one signed 64-bit key; PostgreSQL's advisory locks are per
# database, so two sites on one server do not share it.
LOCK_KEY = int.from_bytes(b"parcauto", "big")


class SchedulerLock:
    """The advisory lock on this process' connection; a no-op (always held) elsewhere."""

    def __init__(self) -> None:
        self._held_on: Any = None  # the DB-API connection the lock lives on

    def acquire(self) -> bool:
        """True if this scheduler is (still, or now) the active one."""
        if connection.vendor != "postgresql":
            return True
        if self._held_on is not None and connection.connection is self._held_on:
            return True  # same session: still ours (a lost session is a new connection)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        self._held_on = connection.connection if held else None
        return held

    def release(self) -> None:
        if self._held_on is not None and connection.connection is self._held_on:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        self._held_on = None


def connection_keep() -> None:
    """Between ticks: drop the connection only if it broke.

    Not `close_old_connections()`: it closes a connection older than CONN_MAX_AGE, and
    with it the lock, handing the schedule to another node every minute.
    """
    if connection.connection is not None and not connection.is_usable():
        connection.close()
