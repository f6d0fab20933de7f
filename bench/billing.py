"""The monthly billing run over 100,000 active card contracts, on PostgreSQL.

`make bench` runs it after the rush; alone: `.venv/bin/python -m bench.billing`. Steps:
1. a fresh PostgreSQL database (dropped and recreated), migrated;
2. for each size (25,000, 50,000 and 100,000 contracts), in a child process of its own
   so that its peak memory is its own:
   a. the tables emptied, then the contracts made in the database itself (INSERT ...
      SELECT over generate_series: one institution, lot, category and product, active
      monthly contracts started in May, each with its card in the sandbox's vault);
   b. the run of 1 July (`billing_run`, sandbox gateway): contracts/s, and the peak
      memory it added (ru_maxrss after - resident size before, in the child);
   c. the same run again: it must create 0 invoices and make 0 charges (asserted);
   d. the baseline: a plain `bulk_create` of as many invoice rows (2,000 a statement);
3. the report; targets: 100,000 contracts in under 60 s, within 10x the baseline, and
   memory that does not grow with the number of contracts (the run streams).
`--profile 10000` instead runs 10,000 contracts under cProfile and prints where the time
goes, in Python and in the database.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import resource
import secrets
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

from bench.harness import ROOT, BenchError, pg_drop, pg_recreate

RUN_DATE = dt.date(2026, 7, 1)
PRICE = Decimal("45.00")
CHUNK = 2000
SIZES = (25_000, 50_000, 100_000)
TARGET_SECONDS = 60.0
TARGET_RATIO = 10.0
# Tables emptied between sizes (TRUNCATE ... CASCADE also takes what points at them).
TABLES = (
    "payments_sandboxtransaction",
    "payments_sandboxcard",
    "billing_billingrun",
    "subscriptions_subscription",
    "catalog_permitproduct",
    "tenants_organization",
    "accounts_user",
    "core_counter",
)


def _setup_env(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcauto.settings")
    os.environ["DB_CONN_MAX_AGE"] = "600"
    # As production runs it: with DEBUG on, Django keeps the last 9,000 statements (their
    # SQL with its parameters) in memory, which a run of 100,000 contracts fills.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))  # throwaway
    os.environ["PARCAUTO_ALLOW_SANDBOX_GATEWAY"] = "true"  # its cards are the sandbox's
    import django

    django.setup()


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _insert_select(model: Any, values: dict[str, str], source: str) -> tuple[str, list[Any]]:
    """INSERT INTO <model> (every column) SELECT <values, or each field's default> <source>."""
    from django.db import connection

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in values:
            expressions.append(values[field.name])
        elif field.null:
            expressions.append("NULL")
        elif field.get_default() is not None:  # its default, or "" for a text field
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            raise BenchError(f"{model.__name__}.{field.name}: no value and no default")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {source}"
    )
    return sql, params


def prepare(contracts: int) -> None:
    """Empty the tables, then make `contracts` active monthly card contracts in SQL."""
    from django.db import connection

    from parcauto.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    person = User.objects.create(email="bench@example.com")
    contracts_insert(
        slug="bench",
        contracts=contracts,
        person_id=person.pk,
        first_number=100_000_000,
        start=dt.date(2026, 5, 1),
    )
    cards_insert(card_prefix="bench")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def contracts_insert(
    *, slug: str, contracts: int, person_id: int, first_number: int, start: dt.date
) -> int:
    """An institution with a monthly product, and `contracts` active card contracts of it
    started on `start`, numbered from `first_number` + 1, in one INSERT ... SELECT.
    Returns the institution's id."""
    from django.db import connection

    from parcauto.catalog.models import ParkingLot, PaymentMethodKind, PermitProduct, UserCategory
    from parcauto.subscriptions.models import Subscription
    from parcauto.tenants.models import Organization

    organization = Organization.objects.create(slug=slug, name_fr=f"Établissement {slug}")
    lot = ParkingLot.objects.create(
        organization=organization, number="1085", name="P1", capacity=max(contracts, 1)
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
    now = "now()"
    sql, params = _insert_select(
        Subscription,
        {
            "created_at": now,
            "updated_at": now,
            "organization": str(organization.pk),
            "contract_number": f"{int(first_number)} + n",
            "person": str(int(person_id)),
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
            "submitted_at": now,
            "activated_at": now,
        },
        "FROM generate_series(1, %s) AS n",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, contracts])
    return int(organization.pk)


def cards_insert(*, card_prefix: str, organization_ids: list[int] | None = None) -> None:
    """A card in the sandbox's vault and its PaymentMethod for every contract (of these
    institutions only, when given)."""
    from django.db import connection

    from parcauto.catalog.models import PaymentMethodKind
    from parcauto.payments.models import PaymentMethod, SandboxCard
    from parcauto.subscriptions.models import Subscription

    source = f"FROM {Subscription._meta.db_table}"
    extra: list[Any] = []
    if organization_ids is not None:
        source += " WHERE organization_id = ANY(%s)"
        extra = [organization_ids]
    token = f"'{card_prefix}' || id"
    cards = _insert_select(
        SandboxCard,
        {
            "created_at": "now()",
            "updated_at": "now()",
            "token": token,
            "permanent": "true",
            "behaviour": "'approve'",
            "brand": "'mastercard'",
            "last4": "'5454'",
            "expiry": "'3012'",
        },
        source,
    )
    methods = _insert_select(
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
            "data_key": token,
            "issuer_id": "'123456789012345'",
        },
        source,
    )
    with connection.cursor() as cursor:
        for sql, params in (cards, methods):
            cursor.execute(sql, [*params, *extra])


def invoice_rows(ids: list[tuple[int, int]], *, period: dt.date) -> list[Any]:
    """An invoice per (contract id, institution id) for the month of `period`: the rows
    the baseline inserts."""
    from parcauto.billing.models import Invoice

    end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return [
        Invoice(
            organization_id=organization_id,
            number=900_000_000 + index,
            subscription_id=subscription_id,
            period_start=period,
            period_end=end,
            due_date=period,
            payment_method="card",
            amount=PRICE,
            pre_tax=Decimal("39.14"),
            gst=Decimal("1.96"),
            qst=Decimal("3.90"),
        )
        for index, (subscription_id, organization_id) in enumerate(ids)
    ]


def baseline(contracts: int) -> float:
    """Seconds for a plain bulk insert of `contracts` invoice rows (another period)."""
    from django.db import transaction

    from parcauto.billing.models import Invoice
    from parcauto.subscriptions.models import Subscription

    ids = list(Subscription.objects.values_list("id", "organization_id").order_by("id"))
    rows = invoice_rows(ids, period=dt.date(2026, 8, 1))
    started = time.perf_counter()
    with transaction.atomic():
        Invoice.objects.bulk_create(rows, batch_size=CHUNK)
    return time.perf_counter() - started


def child(contracts: int) -> dict[str, Any]:
    """One size: prepare, run (timed, memory), run again (nothing), baseline."""
    from django_scopes import scopes_disabled

    from parcauto.billing.models import Invoice
    from parcauto.billing.services.run import billing_run
    from parcauto.core.clock import LOCAL_TZ
    from parcauto.payments.gateways.sandbox import SandboxGateway
    from parcauto.payments.models import PaymentAttempt, SandboxTransaction

    now = dt.datetime.combine(RUN_DATE, dt.time(3), tzinfo=LOCAL_TZ)
    with scopes_disabled():
        started = time.perf_counter()
        prepare(contracts)
        prepared = time.perf_counter() - started
        rss_before = _rss_kib()
        started = time.perf_counter()
        run = billing_run(run_date=RUN_DATE, now=now, gateway=SandboxGateway(), chunk_size=CHUNK)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        charged = SandboxTransaction.objects.count()
        paid = Invoice.objects.filter(status=Invoice.Status.PAID).count()
        attempts = PaymentAttempt.objects.count()
        again = billing_run(run_date=RUN_DATE, now=now, gateway=SandboxGateway(), chunk_size=CHUNK)
        charged_again = SandboxTransaction.objects.count() - charged
        base = baseline(contracts)
    return {
        "contracts": contracts,
        "prepared_s": prepared,
        "seconds": seconds,
        "peak_mib": peak_kib / 1024,
        "invoices": run.invoices_created,
        "approved": run.charges_approved,
        "charged": charged,
        "paid": paid,
        "attempts": attempts,
        "again_invoices": again.invoices_created,
        "again_charges": again.charges_approved + again.charges_declined + charged_again,
        "baseline_s": base,
    }


def _child_process(database_url: str, contracts: int) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.billing", "--child", str(contracts)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"the {contracts:,} run failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def check(result: dict[str, Any]) -> list[str]:
    n = result["contracts"]
    problems = []
    if not (result["invoices"] == result["approved"] == result["charged"] == result["paid"] == n):
        problems.append(f"{n:,}: not every contract was invoiced and charged once: {result}")
    if result["attempts"] != n:
        problems.append(f"{n:,}: {result['attempts']} attempts for {n} contracts")
    if result["again_invoices"] or result["again_charges"]:
        problems.append(
            f"{n:,}: the second run created {result['again_invoices']} invoices "
            f"and made {result['again_charges']} charges (must be 0 and 0)"
        )
    return problems


def report(results: list[dict[str, Any]]) -> int:
    print("\ncontracts   run (s)  contracts/s  peak memory  baseline (s)  ratio  second run")
    for r in results:
        print(
            f"{r['contracts']:>9,}  {r['seconds']:>8.1f}  {r['contracts'] / r['seconds']:>11,.0f}"
            f"  {r['peak_mib']:>8.1f} MiB  {r['baseline_s']:>12.1f}"
            f"  {r['seconds'] / r['baseline_s']:>4.1f}x  "
            f"{r['again_invoices']} invoices, {r['again_charges']} charges"
        )
    problems = [problem for r in results for problem in check(r)]
    largest = max(results, key=lambda r: r["contracts"])
    if largest["contracts"] >= 100_000:
        if largest["seconds"] >= TARGET_SECONDS:
            problems.append(f"{largest['seconds']:.1f} s for 100,000 (target < {TARGET_SECONDS} s)")
        if largest["seconds"] / largest["baseline_s"] > TARGET_RATIO:
            problems.append(f"more than {TARGET_RATIO}x the plain bulk insert")
    smallest = min(results, key=lambda r: r["contracts"])
    if largest is not smallest:
        growth = largest["peak_mib"] - smallest["peak_mib"]
        print(
            f"memory: {smallest['peak_mib']:.1f} MiB at {smallest['contracts']:,}, "
            f"{largest['peak_mib']:.1f} MiB at {largest['contracts']:,} "
            f"({growth:+.1f} MiB for {largest['contracts'] / smallest['contracts']:.0f}x "
            "the contracts)"
        )
    for problem in problems:
        print(f"FAILED: {problem}")
    print("billing bench: " + ("targets met" if not problems else "targets NOT met"))
    return 1 if problems else 0


def profile(contracts: int) -> None:
    """cProfile of one size, and the statements that took the most database time."""
    from collections import defaultdict

    from django.db import connection

    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = spent[" ".join(sql.split())[:150]]
            entry[0] += time.perf_counter() - started
            entry[1] += 1

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        profiler.runcall(child, contracts)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    print("database time by statement (s, count):")
    for sql, (seconds, count) in sorted(spent.items(), key=lambda item: -item[1][0])[:15]:
        print(f"{seconds:8.2f} {count:5d}  {sql}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, no database name (default: $PG_BENCH_SERVER or local).",
    )
    parser.add_argument("--database", default="parcauto_bench_billing")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="Contract counts, comma-separated."
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", help="cProfile N contracts (and their queries)."
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _setup_env(os.environ["DATABASE_URL"])
        print(json.dumps(child(args.child)))
        return 0
    try:
        database_url = pg_recreate(args.pg_url, args.database)
        try:
            _setup_env(database_url)
            from django.core.management import call_command

            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(
                f"billing bench: database {args.database}, migrated in "
                f"{time.perf_counter() - started:.1f} s"
            )
            if args.profile:
                profile(args.profile)
                return 0
            results = []
            for size in (int(part) for part in args.sizes.split(",")):
                result = _child_process(database_url, size)
                print(
                    f"  {size:,} contracts: made in {result['prepared_s']:.1f} s, "
                    f"billed in {result['seconds']:.1f} s"
                )
                results.append(result)
            return report(results)
        finally:
            if not args.keep_db:
                from django.db import connections

                connections.close_all()
                pg_drop(args.pg_url, args.database)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
