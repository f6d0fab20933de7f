"""A small production on 127.0.0.1, measured beside one node, then broken on purpose.

`make cluster` (or `.venv/bin/python -m bench.cluster --help`). Steps:
1. a fresh PostgreSQL database, migrated, static files collected, a throwaway Redis
   (sessions and cache), and three rush offers (bench.rush's data, one institution each);
2. what a small production runs: two app nodes (gunicorn, own ports), HAProxy in front,
   two task workers (`run_worker`) and one scheduler (`run_scheduler`);
3. single node: /healthz/ then the rush, straight to node 1 (the other processes idle);
4. cluster: /healthz/ then the rush of the second offer, through HAProxy;
5. failure drill: the rush of the third offer through HAProxy, node 2 killed (SIGKILL,
   master and workers) a third of the way; a student whose request failed presses again
   (at most 3 times); then the SQL checks: units taken = requests sent = contracts
   numbered, one payment method and one follow-up task per request, every task done;
6. the billing run: contracts in several institutions, (a) in one process
   (`manage.py run_billing`), (b) queued as the scheduler queues it, its parts shared by
   the two workers, (c) again with worker 1 killed (SIGKILL) while it charges; each
   checked in SQL: one invoice per contract and month, paid by exactly one charge.
Load goes to 127.0.0.1 only; every loop is bounded; every process started here is
stopped by its own pid. Exit status 1 on any oversell, loss, double or error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.cluster_billing import (
    BillingFigures,
    billing_in_one_process,
    billing_prepare,
    billing_problems,
    billing_queued,
    billing_retire,
)
from bench.cluster_procs import Cluster, cluster_start, haproxy_binary, haproxy_per_node, kill_group
from bench.cluster_rush import RushFigures, drill_checks, measure_rush, queue_drain
from bench.harness import (
    ROOT,
    BenchError,
    free_port,
    percentile,
    pg_drop,
    pg_recreate,
    redis_command,
    wait_until_quiet,
)
from bench.harness import running as running_process
from bench.rush import collect_static, prepare, server_environment

CORES = os.cpu_count() or 1
# The processes a rush's CPU per request counts: the workers run the sales' follow-ups
# (card check, e-mail with the contract's PDF) and PostgreSQL serves both.
OURS = ("app nodes", "load balancer", "PostgreSQL", "task workers")


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    logs = Path(tempfile.mkdtemp(prefix="parcauto-cluster-"))
    static_root = ROOT / "staticfiles"
    static_root_existed = static_root.exists()
    try:
        return run_in(args, logs=logs, started=started)
    finally:
        if args.keep_logs:
            print(f"logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)
        if not static_root_existed:
            shutil.rmtree(static_root, ignore_errors=True)


def run_in(args: argparse.Namespace, *, logs: Path, started: float) -> int:
    haproxy_binary()  # installed first, or the command to install it
    database_url = pg_recreate(args.pg_url, args.database)
    redis_port = free_port()
    redis = redis_command(redis_port)
    if redis is None:
        raise BenchError("redis-server is not installed: apt-get install redis-server")
    env = server_environment(
        database_url=database_url, var_dir=logs, redis_url=f"redis://127.0.0.1:{redis_port}/0"
    )
    env["DB_CONN_MAX_AGE"] = "600"
    collect_static(env)
    os.environ.update(env)

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            running_process(redis, env=env, log=logs / "redis.log", port=redis_port)
        )
        import django
        from django.core.management import call_command
        from django_scopes import scopes_disabled

        django.setup()
        stack.enter_context(scopes_disabled())  # the bench reads every institution's rows
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        t = time.monotonic()
        offers = {
            tag: prepare(students=students, units=units, tag=tag)
            for tag, students, units in (
                ("s", args.students, args.units),
                ("c", args.students, args.units),
                ("k", args.students, args.units),
            )
        }
        print(
            f"database {args.database}: 3 offers of {args.units} units, {args.students} "
            f"students each, prepared in {time.monotonic() - t:.0f} s"
        )
        cluster = cluster_start(
            stack,
            env=env,
            logs=logs,
            node_workers=args.node_workers,
            host=offers["s"].students[0].host,
        )
        print(
            f"cluster: HAProxy on :{cluster.port} -> 2 nodes (gunicorn sync x{args.node_workers} "
            f"on :{cluster.node_ports[0]} and :{cluster.node_ports[1]}), 2 task workers, "
            f"1 scheduler, PostgreSQL, Redis; client: {args.concurrency} connections"
        )
        return scenarios(args, cluster=cluster, offers=offers, env=env, started=started)


def scenarios(
    args: argparse.Namespace,
    *,
    cluster: Cluster,
    offers: dict[str, Any],
    env: dict[str, str],
    started: float,
) -> int:
    from bench.rush import post_all

    warm = post_all(
        port=cluster.port,
        students=offers["s"].students[: args.concurrency * 2],
        concurrency=args.concurrency,
        accept=False,
    )
    statuses = Counter(response.status for _, response in warm)
    if set(statuses) != {200}:
        raise BenchError(f"the warm-up (consent missing) answered {dict(statuses)}, not 200s")
    roots = {
        "app nodes": cluster.nodes,
        "load balancer": [cluster.balancer],
        "task workers": cluster.workers,
    }
    kill_at = max(1, args.students // 3)

    def kill_node(answered: int) -> None:
        if answered == kill_at:
            kill_group(cluster.nodes[1])
            print(f"  killed node 2 (SIGKILL, master and workers) after {answered} answers")

    def stats() -> dict[str, int]:
        return haproxy_per_node(cluster.stats_port)

    rushes = []
    for name, port, tag, per_node, after_each in (
        ("single node", cluster.node_ports[0], "s", None, None),
        ("cluster", cluster.port, "c", stats, None),
        ("drill", cluster.port, "k", stats, kill_node),
    ):
        # Each starts on a quiet cluster: the last rush's follow-up tasks done.
        queue_drain(seconds=180)
        busy = wait_until_quiet(threshold=0.10, patience=args.quiet_wait)
        rushes.append(
            measure_rush(
                name=name,
                port=port,
                setup=offers[tag],
                units=args.units,
                concurrency=args.concurrency,
                roots=roots,
                database=args.database,
                per_node=per_node,
                after_each=after_each,
                paused=[] if args.busy_workers else cluster.workers,
            )
        )
        print(f"  {name}: done (machine {busy:.0%} busy before)")
    single, both, drill = rushes
    drill_found, drill_problems = drill_checks(offers["k"])
    drill.errors += drill_problems

    billings = {}
    for tag, name in ((1, "one process"), (2, "2 workers"), (3, "2 workers, 1 killed")):
        billing = billing_prepare(tag=tag, institutions=args.institutions, contracts=args.contracts)
        if tag == 1:
            billings[name] = billing_in_one_process(env, billing, args.database)
        else:
            billings[name] = billing_queued(cluster, billing, args.database, kill_worker=tag == 3)
        billings[name].problems += billing_problems(billing, billings[name].checks)
        billing_retire(billing)
        print(f"  billing, {name}: done")
    report(args, [single, both, drill], drill_found, billings)
    problems = [e for figures in (single, both, drill) for e in figures.errors]
    problems += [p for b in billings.values() for p in b.problems]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    return 1 if problems else 0


def report(
    args: argparse.Namespace,
    rushes: list[RushFigures],
    drill_found: dict[str, int],
    billings: dict[str, BillingFigures],
) -> None:
    ms = 1000
    print(
        f"\n== Rush: {args.students} students, {args.units} units per offer, "
        f"{args.concurrency} client connections; {dt.datetime.now(dt.UTC):%Y-%m-%d} =="
    )
    if not args.busy_workers:
        print("(task workers paused during each measure, then resumed: --busy-workers)")
    names = ["single node", "cluster (HAProxy)", "drill (node 2 killed)"]
    rows: list[tuple[str, list[str]]] = [
        ("/healthz/ requests/s", [f"{r.baseline_rps:,.0f}" for r in rushes]),
        (
            "accepted/s (ratio)",
            [
                f"{r.rush.accepted_per_s:.1f} ({r.rush.accepted_per_s / r.baseline_rps:.3f})"
                for r in rushes
            ],
        ),
        (
            "requests/s (ratio)",
            [
                f"{r.rush.requests_per_s:.1f} ({r.rush.requests_per_s / r.baseline_rps:.3f})"
                for r in rushes
            ],
        ),
        (
            "latency p50 / p99",
            [f"{percentile(r.rush.latencies, 0.5) * ms:.0f} / {r.p99 * ms:.0f} ms" for r in rushes],
        ),
        ("oversold", [str(r.db["oversold"]) for r in rushes]),
        (
            "answers",
            [", ".join(f"{k} {n}" for k, n in sorted(r.rush.outcomes.items())) for r in rushes],
        ),
        ("pressed again", [str(r.retried) for r in rushes]),
        (
            "requests per node",
            [
                ", ".join(f"{k} {n}" for k, n in r.per_node.items()) or "node1 (direct)"
                for r in rushes
            ],
        ),
        (
            "CPU/request, all ours",
            [f"{r.cpu_per_request_ms(OURS):.1f} ms" for r in rushes],
        ),
        (
            "  app/LB/PG/workers",
            [" / ".join(f"{r.cpu_per_request_ms((g,)):.1f}" for g in OURS) for r in rushes],
        ),
        (
            "other processes",
            [
                f"{r.rush.cpu['other processes'] / (CORES * r.rush.seconds):.0%} of the machine"
                for r in rushes
            ],
        ),
    ]
    width = max(len(label) for label, _ in rows) + 2
    print(" " * width + "".join(f"{name:<26}" for name in names))
    for label, values in rows:
        print(f"{label:<{width}}" + "".join(f"{value:<26}" for value in values))
    print("\nDrill, in SQL: " + ", ".join(f"{k} {v}" for k, v in drill_found.items()))

    print(
        f"\n== Billing run: {args.contracts:,} contracts in {args.institutions} institutions "
        "per run, sandbox gateway =="
    )
    print(f"{'run':<22}  contracts/s  seconds  vs bulk insert  CPU/contract  parts per worker")
    for name, b in billings.items():
        cpu = sum(v for k, v in b.cpu.items() if k not in ("load client", "other processes"))
        shares = ", ".join(f"{w.rsplit('-', 1)[-1]} {n}" for w, n in sorted(b.per_worker.items()))
        if b.requeued:
            shares += f" ({b.requeued} requeued from the killed worker)"
        print(
            f"{name:<22}  {b.per_second:>11,.0f}  {b.seconds:>7.1f}  "
            f"{b.seconds / b.baseline_seconds:>13.1f}x  {cpu / b.contracts * ms:>9.2f} ms  "
            f"{shares or '-'}"
        )
    for name, b in billings.items():
        verdict = "OK" if not b.problems else "; ".join(b.problems)
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in b.checks.items()) + f": {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000, help="per rush")
    parser.add_argument("--units", type=int, default=300, help="per rush")
    parser.add_argument("--concurrency", type=int, default=48, help="client connections")
    parser.add_argument(
        "--node-workers", type=int, default=2, help="gunicorn sync workers per app node"
    )
    parser.add_argument("--contracts", type=int, default=40_000, help="per billing run")
    parser.add_argument("--institutions", type=int, default=8, help="per billing run")
    parser.add_argument("--quiet-wait", type=float, default=20.0)
    parser.add_argument(
        "--busy-workers",
        action="store_true",
        help="keep the task workers running during the rush measures (default: paused)",
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="parcauto_cluster")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    try:
        return run(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep_db:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            pg_drop(args.pg_url, args.database)


if __name__ == "__main__":
    sys.exit(main())
