"""Where a gate decision's CPU goes: its queries, its CPU beside `/healthz/`'s, a profile.

`.venv/bin/python -m bench.profile_decision` (PostgreSQL, a throwaway database; Redis as
the shared cache when `redis-server` is on the PATH, as `bench.access` runs it). In this
process, without a server or concurrency, through the whole Django stack (test client:
middleware, view, service), production settings (`DEBUG` off):
1. the queries of one decision;
2. CPU per request, this process's and its PostgreSQL backend's, for decisions of
   `bench.access`'s mix and for `GET /healthz/`, in alternating rounds (both see the
   same machine), and their ratio: what the server's ratio tends to, gunicorn apart;
3. with --cprofile N, the functions that take the CPU over N decisions; with --spy FILE,
   py-spy's samples of this process over `--requests` decisions (collapsed stacks, as
   `bench.rush --profile` takes them; `.venv/bin/pip install py-spy` first).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.access import DECISIONS, HOST, Requests, Setup, prepare, server_environment
from bench.harness import (
    ROOT,
    BenchError,
    free_port,
    pg_drop,
    pg_recreate,
    process_cpu_seconds,
    redis_command,
    running,
    sampled,
)


def cpu_per_request(
    sides: dict[str, Callable[[], Any]], *, count: int, rounds: int
) -> dict[str, tuple[float, float]]:
    """Median (app, PostgreSQL) CPU ms per request of each side, rounds interleaved."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, request in sides.items():
            cpu, pg = time.process_time(), process_cpu_seconds(backend)
            for _ in range(count):
                request()
            samples[name].append(
                (
                    (time.process_time() - cpu) * 1000 / count,
                    (process_cpu_seconds(backend) - pg) * 1000 / count,
                )
            )
    return {
        name: (
            statistics.median(app for app, _ in values),
            statistics.median(pg for _, pg in values),
        )
        for name, values in samples.items()
    }


def run(args: argparse.Namespace, var_dir: Path) -> None:
    with contextlib.ExitStack() as stack:
        database_url = pg_recreate(args.pg_url, args.database)
        redis_port = free_port()
        redis = redis_command(redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0" if redis else ""
        env = server_environment(database_url=database_url, var_dir=var_dir, redis_url=redis_url)
        env["DJANGO_STATIC_ROOT"] = str(var_dir / "static")  # DEBUG off: a manifest is needed
        os.environ.update(env)
        if redis:
            stack.enter_context(running(redis, env=env, log=var_dir / "redis.log", port=redis_port))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        from django.test.utils import override_settings

        override_settings(ALLOWED_HOSTS=[HOST]).enable()
        setup: Setup = prepare(
            contracts=args.contracts, gate_permits=args.contracts // 10, devices=1
        )
        print(f"cache: {'redis' if redis else 'database'}; {setup.grant_rows:,} grants")
        requests = Requests(setup, seed=1)
        device_profile(
            args,
            host=HOST,
            key=setup.keys[0],
            path=DECISIONS,
            body=requests.body,
            what="decision",
        )


def device_profile(
    args: argparse.Namespace,
    *,
    host: str,
    key: str,
    path: str,
    body: Callable[[], bytes],
    what: str,
) -> None:
    """`profile` of a device's JSON POSTs of `body()` to `path`, warmed up first."""
    from django.test import Client

    device = Client(
        HTTP_HOST=host, headers={"Authorization": f"Bearer {key}", "X-Forwarded-Proto": "https"}
    )
    health = Client(HTTP_HOST=host, headers={"X-Forwarded-Proto": "https"})

    def request() -> Any:
        response = device.post(path, body(), content_type="application/json")
        if response.status_code != 200:
            raise BenchError(f"a {what} answered {response.status_code}: {response.content!r}")
        return response

    for _ in range(50):  # warm: imports, the device remembered, the host cache
        request()
        health.get("/healthz/")
    profile(args, request, lambda: health.get("/healthz/"), what=what)


def profile(
    args: argparse.Namespace, request: Callable[[], Any], health: Callable[[], Any], *, what: str
) -> None:
    """Print one `request`'s queries, its CPU beside `health`'s (rounds interleaved), and
    with --cprofile / --spy where its CPU goes. Django is set up and both are warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = request()
    print(f"\n== one {what}: {response.content[:120]!r}, {len(queries)} queries ==")
    for query in queries.captured_queries:
        print(f"  {' '.join(query['sql'].split())[:160]}")

    measured = cpu_per_request(
        {what: request, "healthz": health}, count=args.requests, rounds=args.rounds
    )
    print(f"\n== CPU per request, in process (median of {args.rounds} rounds) ==")
    for name, (app, pg) in measured.items():
        print(f"  {name:<10} {app + pg:5.2f} ms (app {app:.2f} + PostgreSQL {pg:.2f})")
    mine, healthz = (sum(measured[name]) for name in (what, "healthz"))
    print(f"  healthz / {what}: {healthz / mine:.3f}")

    if args.cprofile:
        profiler = cProfile.Profile(time.process_time)  # CPU: waits left out
        profiler.enable()
        for _ in range(args.cprofile):
            request()
        profiler.disable()
        print(f"\n== cProfile: {args.cprofile} requests, CPU time ==")
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        stats.sort_stats(args.sort).print_stats(args.top)
    if args.spy:
        with sampled(os.getpid(), output=Path(args.spy), seconds=600):
            for _ in range(args.requests):
                request()
        print(f"\npy-spy's samples of {args.requests} requests: {args.spy}")


def profile_options(parser: argparse.ArgumentParser) -> None:
    """The options of `profile`, and the server's database."""
    parser.add_argument("--requests", type=int, default=300, help="per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cprofile", type=int, default=0, help="profile this many requests")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--spy", help="py-spy's collapsed stacks of --requests requests here")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=20_000)
    profile_options(parser)
    parser.add_argument("--database", default="parcauto_bench_decision")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    var_dir = Path(tempfile.mkdtemp(prefix="parcauto-profile-decision-"))
    try:
        run(args, var_dir)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        pg_drop(args.pg_url, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
