"""The rush's side of bench.cluster: measured on one node or through HAProxy, and the
failure drill's client, which presses again when a request failed, and its SQL checks."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bench.harness import (
    Client,
    Response,
    cpu_delta,
    cpu_snapshot_groups,
    hammer,
    percentile,
    run_threads,
)
from bench.rush import (
    BASELINE_PATH,
    HOST,
    SUBMIT_PATH,
    Rush,
    Setup,
    Student,
    check,
    rush_summary,
    student_headers,
    submit_form,
    verify,
)

# What a student sees when a node dies under the request: HAProxy's 502/503, or a reset.
FAILED_STATUSES = {0, 502, 503, 504}
PRESSES = 3  # a student presses "Soumettre" at most this many times


@dataclass
class RushFigures:
    name: str
    rush: Rush
    baseline_rps: float
    db: dict[str, int]
    per_node: dict[str, int]
    errors: list[str]
    retried: int = 0

    @property
    def p99(self) -> float:
        return percentile(self.rush.latencies, 0.99)

    def cpu_per_request_ms(self, groups: tuple[str, ...]) -> float:
        return 1000 * sum(self.rush.cpu.get(g, 0.0) for g in groups) / len(self.rush.results)


def post_pressing_again(
    *,
    port: int,
    students: list[Student],
    concurrency: int,
    after_each: Callable[[int], None] | None = None,
) -> tuple[list[tuple[Student, Response]], int]:
    """Every student posts "Soumettre"; one whose request failed (a node died under it)
    presses again, up to PRESSES times. Returns each student's last answer, and how many
    presses were repeated. `after_each(n)` is called after the n-th first answer."""
    todo: queue.SimpleQueue[Student] = queue.SimpleQueue()
    for student in students:
        todo.put(student)
    results: list[list[tuple[Student, Response]]] = [[] for _ in range(concurrency)]
    answered = [0]
    again = [0]
    lock = threading.Lock()

    def worker(index: int) -> None:
        client = Client(
            port=port, host=HOST, base_headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        while True:
            try:
                student = todo.get_nowait()
            except queue.Empty:
                break
            for press in range(PRESSES):
                if press:
                    with lock:
                        again[0] += 1
                    time.sleep(0.2)
                response = client.request(
                    "POST", SUBMIT_PATH, body=submit_form(student), headers=student_headers(student)
                )
                if press == 0 and after_each is not None:
                    with lock:
                        answered[0] += 1
                        count = answered[0]
                    after_each(count)
                if response.status not in FAILED_STATUSES:
                    break
            results[index].append((student, response))
        client.close()

    run_threads(min(concurrency, len(students)), worker)
    return [item for chunk in results for item in chunk], again[0]


def measure_rush(
    *,
    name: str,
    port: int,
    setup: Setup,
    units: int,
    concurrency: int,
    roots: dict[str, list[int]],
    database: str,
    per_node: Callable[[], dict[str, int]] | None = None,
    after_each: Callable[[int], None] | None = None,
    paused: list[int] | None = None,
) -> RushFigures:
    """/healthz/ for 4 s, then the rush, on `port`; then the database's word on it.

    The processes of `paused` (the task workers) are stopped (SIGSTOP) while it measures
    and go on afterwards: in production they have machines of their own, and here the
    sales' follow-ups (the contract's PDF, the e-mail) would take the same two cores.
    """
    with _stopped(paused or []):
        return _measure(
            name=name,
            port=port,
            setup=setup,
            units=units,
            concurrency=concurrency,
            roots=roots,
            database=database,
            per_node=per_node,
            after_each=after_each,
        )


@contextlib.contextmanager
def _stopped(pids: list[int]) -> Iterator[None]:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _measure(
    *,
    name: str,
    port: int,
    setup: Setup,
    units: int,
    concurrency: int,
    roots: dict[str, list[int]],
    database: str,
    per_node: Callable[[], dict[str, int]] | None,
    after_each: Callable[[int], None] | None,
) -> RushFigures:
    count, elapsed, _, others = hammer(
        port=port,
        host=setup.students[0].host,  # the portal's, through the same middleware
        path=BASELINE_PATH,
        concurrency=concurrency,
        seconds=4.0,
    )
    errors = [f"{name}: baseline: {others} answers other than 200"] if others else []
    nodes_before = per_node() if per_node else {}
    before = cpu_snapshot_groups(roots, database)
    results, retried = post_pressing_again(
        port=port, students=setup.students, concurrency=concurrency, after_each=after_each
    )
    cpu = cpu_delta(before, cpu_snapshot_groups(roots, database))
    nodes = {
        node: total - nodes_before.get(node, 0)
        for node, total in (per_node() if per_node else {}).items()
    }
    db = verify(setup, units=units)
    rush = rush_summary(results, units=units, cpu=cpu)
    errors += [
        f"{name}: {error}" for error in check(rush, db, units=units, students=len(setup.students))
    ]
    return RushFigures(
        name=name,
        rush=rush,
        baseline_rps=count / elapsed,
        db=db,
        per_node=nodes,
        errors=errors,
        retried=retried,
    )


def queue_drain(*, seconds: float) -> None:
    """Wait (at most `seconds`) until the workers have run every task queued."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connections.close_all()
        queued = DBTaskResult.objects.ready().exists()  # due now (a later retry waits)
        if not queued and not DBTaskResult.objects.running().exists():
            return
        time.sleep(0.5)


def drill_checks(setup: Setup, *, wait_seconds: float = 120) -> tuple[dict[str, int], list[str]]:
    """After the drill: nothing doubled (payment methods, follow-up tasks), nothing lost
    (every request sent has its follow-up task, and the workers ran every one)."""
    from django.db import connection, connections

    deadline = time.monotonic() + wait_seconds
    sql = {
        "requests sent": """SELECT count(*) FROM subscriptions_subscription
            WHERE product_id = %(p)s AND status <> 'draft'""",
        "requests with more than 1 payment method": """SELECT count(*) FROM (
            SELECT m.subscription_id FROM payments_paymentmethod m
            JOIN subscriptions_subscription s ON s.id = m.subscription_id
            WHERE s.product_id = %(p)s GROUP BY m.subscription_id HAVING count(*) > 1) d""",
        "requests sent without exactly 1 follow-up task": """SELECT count(*)
            FROM subscriptions_subscription s WHERE s.product_id = %(p)s AND s.status <> 'draft'
            AND (SELECT count(*) FROM django_tasks_database_dbtaskresult t
                 WHERE t.task_path = 'parcauto.sales.tasks.submission_follow_up'
                 AND (t.args_kwargs -> 'kwargs' ->> 'subscription_id')::bigint = s.id) <> 1""",
        "follow-up tasks not done": """SELECT count(*) FROM django_tasks_database_dbtaskresult t
            JOIN subscriptions_subscription s
              ON s.id = (t.args_kwargs -> 'kwargs' ->> 'subscription_id')::bigint
            WHERE t.task_path = 'parcauto.sales.tasks.submission_follow_up'
            AND s.product_id = %(p)s AND t.status <> 'SUCCESSFUL'""",
    }
    while True:
        connections.close_all()
        found = {}
        with connection.cursor() as cursor:
            for name, query in sql.items():
                cursor.execute(query, {"p": setup.product_id})
                found[name] = int(cursor.fetchone()[0])
        if not found["follow-up tasks not done"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # the workers are still going through the follow-ups
    problems = [
        f"drill: {name} = {value}"
        for name, value in found.items()
        if name != "requests sent" and value
    ]
    if not found["requests sent"]:
        problems.append("drill: no request was sent")
    return found, problems
