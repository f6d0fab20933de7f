"""Where a submission's time goes: its queries, the time it holds the product row, a profile.

`.venv/bin/python -m bench.profile_submit` (PostgreSQL, a throwaway database). In this
process, without a server or concurrency:
1. the queries of one accepted and one sold-out submission through the whole Django
   stack (test client: middleware, view, form, service), those run while the product
   row is locked marked with `*`, and how long that lock is held;
2. the mean time of a request, sequential, for accepted and for sold-out submissions
   (what one core can do at best), and the GET of /healthz/ for comparison: wall time,
   and the CPU of this process and of its PostgreSQL backend (stable on a shared machine);
3. with --cprofile, the functions that take the time over many submissions.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import ROOT, BenchError, pg_drop, pg_recreate, process_cpu_seconds
from bench.rush import HOST, SUBMIT_PATH, Setup, Student, prepare, server_environment, submit_form

# The unit's UPDATE, as the ORM writes it or by hand (catalog.services._UNIT_TAKE).
PRODUCT_UPDATE = re.compile(r'\s*UPDATE "?catalog_permitproduct"?')


@dataclass
class Trace:
    queries: list[tuple[str, float, bool]] = field(default_factory=list)  # sql, ms, locked
    lock_taken: float = 0.0
    lock_released: float = 0.0

    @property
    def lock_ms(self) -> float:
        if not self.lock_released:
            return 0.0
        return (self.lock_released - self.lock_taken) * 1000


@contextmanager
def traced() -> Iterator[Trace]:
    """Every query with its time; from the product UPDATE to the commit, 'locked'."""
    from django.db import connection, transaction

    trace = Trace()

    def released() -> None:
        trace.lock_released = trace.lock_released or time.perf_counter()

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        if trace.lock_taken and not trace.lock_released and not connection.in_atomic_block:
            trace.lock_released = started  # committed: an on_commit hook's query runs
        locked = bool(trace.lock_taken) and not trace.lock_released
        try:
            return execute(sql, params, many, context)
        finally:
            if PRODUCT_UPDATE.match(sql) and context["cursor"].rowcount == 1:
                trace.lock_taken, locked = started, True  # the unit is ours: the row is locked
                transaction.on_commit(released)
            trace.queries.append((sql, (time.perf_counter() - started) * 1000, locked))

    with connection.execute_wrapper(wrapper):
        yield trace


_clients: list[Any] = []


def client_for(student: Student) -> Any:
    """One test client for the run (a new one would load the middleware again: slow)."""
    from django.test import Client

    if not _clients:
        _clients.append(Client(HTTP_HOST=HOST, headers={"X-Forwarded-Proto": "https"}))
    client = _clients[0]
    client.cookies.clear()
    client.cookies["sessionid"] = student.session_key
    client.cookies["csrftoken"] = student.csrf_token
    return client


def submit(student: Student) -> Any:
    return client_for(student).post(
        SUBMIT_PATH,
        data=submit_form(student).decode(),
        content_type="application/x-www-form-urlencoded",
    )


def show(title: str, trace: Trace, response: Any) -> None:
    total = sum(ms for _, ms, _ in trace.queries)
    locked = [q for q in trace.queries if q[2]]
    print(f"\n== {title}: HTTP {response.status_code} {response.get('Location', '')} ==")
    print(
        f"  {len(trace.queries)} queries ({total:.1f} ms in the database), "
        f"{len(locked)} of them with the product row locked (*); "
        f"lock held {trace.lock_ms:.1f} ms until the commit"
    )
    for sql, ms, is_locked in trace.queries:
        flat = " ".join(sql.split())
        print(f"  {'*' if is_locked else ' '} {ms:6.2f} ms  {flat[:150]}")


def timed(label: str, count: int, request: Callable[[int], Any]) -> None:
    """Wall time per request, and CPU: this process's, and its PostgreSQL backend's.

    The CPU figures hold on a shared machine (other work lengthens wall time only).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    started, cpu, pg_cpu = time.perf_counter(), time.process_time(), process_cpu_seconds(backend)
    for index in range(count):
        request(index)
    ms = 1000 / count
    elapsed = (time.perf_counter() - started) * ms
    app = (time.process_time() - cpu) * ms
    pg = (process_cpu_seconds(backend) - pg_cpu) * ms
    print(
        f"  {label:<30} {elapsed:6.2f} ms wall, CPU {app + pg:6.2f} ms "
        f"(app {app:.2f}, PostgreSQL {pg:.2f}) per request ({count} in a row)"
    )


def run(args: argparse.Namespace, var_dir: Path) -> None:
    database_url = pg_recreate(args.pg_url, args.database)
    env = server_environment(database_url=database_url, var_dir=var_dir, redis_url="")
    env["DJANGO_SETTINGS_MODULE"] = "parcauto.settings"
    env["DJANGO_STATIC_ROOT"] = str(var_dir / "static")  # DEBUG off: a manifest is needed
    os.environ.update(env)
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    if args.variant:  # a module that patches a service, to measure a proposed change
        importlib.import_module(args.variant)
    setup_test_environment()  # the test client's template hooks; DEBUG stays off
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from django.test import override_settings

    # Production's cache is Redis (a network round trip, no SQL), and sessions are read
    # from it (settings.py with REDIS_URL): a local memory cache stands for it and keeps
    # the cache's own SQL out of the query lists.
    override_settings(
        ALLOWED_HOSTS=[HOST, "testserver"],
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # Redis evicts none of the sessions
            }
        },
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ).enable()
    units = args.submissions
    setup: Setup = prepare(students=2 * units + 2, units=units)
    students = iter(setup.students)

    submit(next(students))  # warm: imports, templates, the host cache
    with traced() as trace:
        response = submit(next(students))
    show("one accepted submission", trace, response)

    print("\n== sequential requests, in this process (no server, no concurrency) ==")
    timed("accepted submission (POST)", units - 2, lambda _: submit(next(students)))
    from django.test import Client

    health = Client(HTTP_HOST=HOST, headers={"X-Forwarded-Proto": "https"})
    timed("GET /healthz/", 200, lambda _: health.get("/healthz/"))
    submit(next(students))  # the last unit goes: sold out from here on
    with traced() as trace:
        response = submit(next(students))
    show("one sold-out submission", trace, response)
    timed("sold-out submission (POST)", units - 2, lambda _: submit(next(students)))

    if args.cprofile:
        profile_setup = prepare_more(args.cprofile)
        profiler = cProfile.Profile(time.process_time)  # CPU: waits on the database left out
        profiler.enable()
        for student in profile_setup:
            submit(student)
        profiler.disable()
        print(
            f"\n== cProfile: {args.cprofile} accepted submissions, CPU time, by cumulative time =="
        )
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)


def prepare_more(count: int) -> list[Student]:
    """Another product with `count` units and `count` more students (a second offer)."""
    from django.db import connection

    with connection.cursor() as cursor:  # prepare() makes one offer and its people: rename them
        cursor.execute("UPDATE tenants_organization SET slug = slug || '-1'")
        cursor.execute("UPDATE tenants_organizationhost SET hostname = hostname || '.old'")
        cursor.execute("UPDATE accounts_user SET email = 'old-' || email")
        cursor.execute("UPDATE account_emailaddress SET email = 'old-' || email")
    from django.core.cache import cache

    cache.clear()
    return prepare(students=count, units=count).students


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100, help="units, and timed requests")
    parser.add_argument("--cprofile", type=int, default=0, help="profile this many submissions")
    parser.add_argument("--variant", help="module to import first (patches under test)")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="parcauto_bench_profile")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    var_dir = Path(tempfile.mkdtemp(prefix="parcauto-profile-"))
    try:
        run(args, var_dir)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        pg_drop(args.pg_url, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
