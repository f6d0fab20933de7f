"""The billing run's side of bench.cluster: contracts in several institutions, and the SQL
that says every one was invoiced and charged exactly once.

Runs in the bench process's Django (bench.cluster has set it up on the cluster's database).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.billing import CHUNK, _setup_env, cards_insert, contracts_insert, invoice_rows
from bench.cluster_procs import Cluster, kill_group
from bench.harness import ROOT, BenchError, cpu_delta, cpu_snapshot_groups


@dataclass
class BillingSet:
    """The institutions of one scenario's contracts."""

    name: str
    organization_ids: list[int]
    contracts: int


def billing_prepare(*, tag: int, institutions: int, contracts: int) -> BillingSet:
    """`contracts` active monthly card contracts spread over `institutions` new
    institutions, started on the first of last month (so today's run bills this month),
    each with its card in the sandbox's vault. Made in SQL: a few seconds for 100,000."""
    from django.db import connection, transaction

    from parcauto.accounts.models import User
    from parcauto.core.clock import local_today

    today = local_today()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    each = -(-contracts // institutions)
    ids = []
    with transaction.atomic():
        person = User.objects.create(email=f"facturation{tag}@bench.example")
        for index in range(institutions):
            count = min(each, contracts - index * each)
            if count > 0:
                ids.append(
                    contracts_insert(
                        slug=f"billing-{tag}-{index}",
                        contracts=count,
                        person_id=person.pk,
                        first_number=500_000_000 + tag * 10_000_000 + index * 1_000_000,
                        start=start,
                    )
                )
        cards_insert(card_prefix=f"bench{tag}-", organization_ids=ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return BillingSet(name=f"set {tag}", organization_ids=ids, contracts=contracts)


def billing_verify(billing: BillingSet) -> dict[str, int]:
    """In SQL, over the set's institutions: each contract has one invoice for this
    month, paid, charged by exactly one approved attempt and one sandbox transaction."""
    from django.db import connection

    mine = " WHERE organization_id = ANY(%(orgs)s)"
    queries = {
        "contracts": "SELECT count(*) FROM subscriptions_subscription" + mine,
        "invoices": "SELECT count(*) FROM billing_invoice" + mine,
        "contracts with other than 1 invoice": "SELECT count(*) FROM subscriptions_subscription s"
        + mine
        + " AND (SELECT count(*) FROM billing_invoice i WHERE i.subscription_id = s.id) <> 1",
        "invoices paid": "SELECT count(*) FROM billing_invoice" + mine + " AND status = 'paid'",
        "attempts": "SELECT count(*) FROM payments_paymentattempt" + mine,
        "attempts approved": "SELECT count(*) FROM payments_paymentattempt"
        + mine
        + " AND status = 'approved'",
        "attempts left sent": "SELECT count(*) FROM payments_paymentattempt"
        + mine
        + " AND status = 'sent'",
        # A second charge of an invoice would be a second attempt (another order id) with
        # its own transaction at the gateway.
        "invoices charged other than once": "SELECT count(*) FROM billing_invoice i"
        + mine
        + """ AND (SELECT count(*) FROM payments_paymentattempt a
                 JOIN payments_sandboxtransaction t ON t.order_id = a.order_id
                 WHERE a.invoice_id = i.id) <> 1""",
    }
    found = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, {"orgs": billing.organization_ids})  # the names are ours
            found[name] = int(cursor.fetchone()[0])
    return found


def billing_problems(billing: BillingSet, found: dict[str, int]) -> list[str]:
    n = billing.contracts
    wanted = {
        "contracts": n,
        "invoices": n,
        "contracts with other than 1 invoice": 0,
        "invoices paid": n,
        "attempts": n,
        "attempts approved": n,
        "attempts left sent": 0,
        "invoices charged other than once": 0,
    }
    return [
        f"billing {billing.name}: {name} = {found[name]}, expected {want}"
        for name, want in wanted.items()
        if found[name] != want
    ]


def bulk_baseline(billing: BillingSet) -> float:
    """Seconds for a plain bulk insert of as many invoice rows, rolled back: the billing
    figures' yardstick measured in the same run (bench/billing.py's, which keeps them)."""
    from django.db import transaction

    from parcauto.billing.models import Invoice
    from parcauto.subscriptions.models import Subscription

    ids = list(
        Subscription.objects.filter(organization_id__in=billing.organization_ids)
        .order_by("id")
        .values_list("id", "organization_id")
    )
    rows = invoice_rows(ids, period=dt.date(2000, 1, 1))

    class Undo(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            Invoice.objects.bulk_create(rows, batch_size=CHUNK)
            elapsed = time.perf_counter() - started
            raise Undo
    except Undo:
        pass
    return elapsed


def parts_per_worker(run_id: int, organization_ids: list[int]) -> dict[str, Any]:
    """Which worker ran each part of a run for these institutions (the task queue's rows)."""
    from django_tasks_db.models import DBTaskResult

    per_worker: dict[str, int] = {}
    requeued = 0
    rows = DBTaskResult.objects.filter(
        task_path="parcauto.billing.tasks.run_billing_institution",
        args_kwargs__kwargs__run_id=run_id,
    ).values_list("worker_ids", "status", "args_kwargs")
    rows = [row for row in rows if row[2]["kwargs"]["organization_id"] in organization_ids]
    for worker_ids, status, _ in rows:
        if status == "SUCCESSFUL" and worker_ids:
            per_worker[worker_ids[-1]] = per_worker.get(worker_ids[-1], 0) + 1
        requeued += len(worker_ids) > 1
    return {"per_worker": per_worker, "requeued": requeued, "parts": len(rows)}


def one_process_run() -> dict[str, float]:
    """The whole run in this process, timed without the interpreter's start-up (the
    single-node figure: what `manage.py run_billing` does)."""
    from parcauto.billing.services.run import billing_run
    from parcauto.core.clock import local_today, now

    moment = now()
    started = time.perf_counter()
    billing_run(run_date=local_today(moment), now=moment)
    return {"seconds": time.perf_counter() - started}


# --- the scenarios: one process, the workers, a worker killed -------------------------------


@dataclass
class BillingFigures:
    contracts: int
    seconds: float
    baseline_seconds: float
    cpu: dict[str, float]
    per_worker: dict[str, int] = field(default_factory=dict)
    requeued: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.contracts / self.seconds


def billing_retire(billing: BillingSet) -> None:
    """End a checked set's contracts, so that later runs have nothing to do for them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subscriptions_subscription SET status = 'ended'"
            " WHERE organization_id = ANY(%s)",
            [billing.organization_ids],
        )


def billing_in_one_process(
    env: dict[str, str], billing: BillingSet, database: str
) -> BillingFigures:
    """The run in one process of its own, as `manage.py run_billing` makes it."""
    baseline = bulk_baseline(billing)
    command = [sys.executable, "-m", "bench.cluster_billing"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    before = cpu_snapshot_groups({"billing process": [process.pid]}, database)
    # Sample the child's CPU until it ends (a finished process's time is gone from /proc).
    last = before
    while process.poll() is None:
        last = cpu_snapshot_groups({"billing process": [process.pid]}, database)
        time.sleep(0.2)
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise BenchError(f"the one-process billing run exited with {process.returncode}")
    return BillingFigures(
        contracts=billing.contracts,
        seconds=json.loads(output.strip().splitlines()[-1])["seconds"],
        baseline_seconds=baseline,
        cpu=cpu_delta(before, last),
        checks=billing_verify(billing),
    )


def billing_queued(
    cluster: Cluster, billing: BillingSet, database: str, *, kill_worker: bool
) -> BillingFigures:
    """The run queued as the scheduler queues it; the two workers share its parts."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from parcauto.billing.models import BillingRun
    from parcauto.billing.tasks import run_billing
    from parcauto.payments.models import PaymentAttempt

    baseline = bulk_baseline(billing)
    roots = {"task workers": cluster.workers}
    before = cpu_snapshot_groups(roots, database)
    started = time.perf_counter()
    result = run_billing.enqueue()
    deadline = time.monotonic() + 600
    run_id = None
    killed = not kill_worker
    while time.monotonic() < deadline:
        connections.close_all()
        row = DBTaskResult.objects.filter(pk=result.id).values_list("status", "return_value")
        status, value = row.first() or ("", None)
        if status == "FAILED":
            raise BenchError("the run_billing task failed: see the workers' logs")
        run_id = value if status == "SUCCESSFUL" else None
        if run_id and BillingRun.objects.get(pk=run_id).status != BillingRun.Status.RUNNING:
            break
        if not killed and run_id:
            killed = _kill_worker_while_charging(cluster, billing, run_id, PaymentAttempt)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    after = cpu_snapshot_groups(roots, database)
    run = BillingRun.objects.get(pk=run_id)
    if run.status != BillingRun.Status.FINISHED:
        raise BenchError(f"billing run {run_id} ended {run.status}: {run.error}")
    shares = parts_per_worker(run_id, billing.organization_ids)
    return BillingFigures(
        contracts=billing.contracts,
        seconds=seconds,
        baseline_seconds=baseline,
        cpu=cpu_delta(before, after),
        per_worker=shares["per_worker"],
        requeued=shares["requeued"],
        checks=billing_verify(billing),
        problems=[] if killed else ["worker 1 was never seen charging: it was not killed"],
    )


def _kill_worker_while_charging(
    cluster: Cluster, billing: BillingSet, run_id: int, attempts: Any
) -> bool:
    """SIGKILL worker 1 once it runs a part of the set whose charging has begun."""
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(
        status="RUNNING", task_path="parcauto.billing.tasks.run_billing_institution"
    ).values_list("worker_ids", "args_kwargs")
    for worker_ids, arguments in running:
        organization_id = arguments["kwargs"]["organization_id"]
        if (
            worker_ids[-1] == cluster.worker_ids[0]
            and organization_id in billing.organization_ids
            and attempts.objects.filter(organization_id=organization_id).exists()
        ):
            kill_group(cluster.workers[0])
            print(f"  killed worker 1 (SIGKILL) while it charged institution {organization_id}")
            return True
    return False


if __name__ == "__main__":  # bench.cluster runs it in a child process of its own
    import json
    import os

    _setup_env(os.environ["DATABASE_URL"])
    print(json.dumps(one_process_run()))
