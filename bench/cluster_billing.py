"""The billing run's side of bench.cluster: contracts in several institutions, and the SQL
that says every one was invoiced and charged exactly once.

Runs in the bench process's Django (bench.cluster has set it up on the cluster's database).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.billing import PRICE, _insert_select, _setup_env

BULK_CHUNK = 2000


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
    from django_scopes import scopes_disabled

    from parcauto.accounts.models import User
    from parcauto.catalog.models import ParkingLot, PaymentMethodKind, PermitProduct, UserCategory
    from parcauto.core.clock import local_today
    from parcauto.payments.models import PaymentMethod, SandboxCard
    from parcauto.subscriptions.models import Subscription
    from parcauto.tenants.models import Organization

    today = local_today()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    each = -(-contracts // institutions)
    ids = []
    with scopes_disabled(), transaction.atomic(), connection.cursor() as cursor:
        person = User.objects.create(email=f"facturation{tag}@bench.example")
        for index in range(institutions):
            count = min(each, contracts - index * each)
            if count <= 0:
                break
            organization = Organization.objects.create(
                slug=f"billing-{tag}-{index}", name_fr=f"Établissement {tag}-{index}"
            )
            ids.append(organization.pk)
            lot = ParkingLot.objects.create(
                organization=organization, number="1085", name="P1", capacity=count
            )
            category = UserCategory.objects.create(organization=organization, name_fr="Employé")
            product = PermitProduct.objects.create(
                organization=organization,
                number="7117",
                name_fr="Mensuel",
                kind=PermitProduct.Kind.MONTHLY,
                billing_frequency=PermitProduct.Billing.MONTHLY,
                price=PRICE,
            )
            first_number = 500_000_000 + tag * 10_000_000 + index * 1_000_000
            sql, params = _insert_select(
                Subscription,
                {
                    "created_at": "now()",
                    "updated_at": "now()",
                    "organization": str(organization.pk),
                    "contract_number": f"{first_number} + n",
                    "person": str(person.pk),
                    "lot": str(lot.pk),
                    "category": str(category.pk),
                    "product": str(product.pk),
                    "status": f"'{Subscription.Status.ACTIVE}'",
                    "step": f"'{Subscription.Step.PAYMENT}'",
                    "start_date": f"DATE '{start.isoformat()}'",
                    "payment_method": f"'{PaymentMethodKind.CARD}'",
                    "price": str(PRICE),
                    "billing_frequency": "'monthly'",
                    "taxable": "true",
                    "holds_unit": "true",
                    "submitted_at": "now()",
                    "activated_at": "now()",
                },
                "FROM generate_series(1, %s) AS n",
            )
            cursor.execute(sql, [*params, count])
        mine = f"FROM {Subscription._meta.db_table} WHERE organization_id = ANY(%s)"
        for model, values in (
            (
                SandboxCard,
                {
                    "created_at": "now()",
                    "updated_at": "now()",
                    "token": f"'bench{tag}-' || id",
                    "permanent": "true",
                    "behaviour": "'approve'",
                    "brand": "'mastercard'",
                    "last4": "'5454'",
                    "expiry": "'3012'",
                },
            ),
            (
                PaymentMethod,
                {
                    "created_at": "now()",
                    "updated_at": "now()",
                    "organization": "organization_id",
                    "subscription": "id",
                    "person": "person_id",
                    "kind": f"'{PaymentMethodKind.CARD}'",
                    "status": f"'{PaymentMethod.Status.ACTIVE}'",
                    "gateway": "'sandbox'",
                    "data_key": f"'bench{tag}-' || id",
                    "issuer_id": "'123456789012345'",
                },
            ),
        ):
            sql, params = _insert_select(model, values, mine)
            cursor.execute(sql, [*params, ids])
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
    rows = [
        Invoice(
            organization_id=organization_id,
            number=900_000_000 + index,
            subscription_id=subscription_id,
            period_start=dt.date(2000, 1, 1),
            period_end=dt.date(2000, 1, 31),
            due_date=dt.date(2000, 1, 1),
            payment_method="card",
            amount=PRICE,
            pre_tax=Decimal("39.14"),
            gst=Decimal("1.96"),
            qst=Decimal("3.90"),
        )
        for index, (subscription_id, organization_id) in enumerate(ids)
    ]

    class Undo(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            Invoice.objects.bulk_create(rows, batch_size=BULK_CHUNK)
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


if __name__ == "__main__":  # bench.cluster runs it in a child process of its own
    import json
    import os

    _setup_env(os.environ["DATABASE_URL"])
    print(json.dumps(one_process_run()))
