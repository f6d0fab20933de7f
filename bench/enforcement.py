"""Plate checks at patrol time: cameras posting reads through gunicorn, over a million plates.

`make bench` (or `.venv/bin/python -m bench.enforcement --help`). Steps:
1. a fresh PostgreSQL database, migrated, static files collected (bench.device_api);
2. the data in the database itself (INSERT ... SELECT over generate_series, as
   bench/access.py does): one institution, 10 lots, 1,000,000 Quebec-like plates
   (bench.plates: ABC123, 123ABC, A12BCD, FAB1234, dense enough that OCR look-alikes
   exist), each a vehicle of one of 500,000 people; one plate in five (200,000) is on a
   contract with its plate grant in access.AccessGrant, spread over the lots (20,000 on
   the patrolled lot) and over what a check answers: valid, occasional valid until a time,
   suspended, expired, cancelled, vehicle change not yet in effect. 8 plate cameras of the
   patrolled lot registered through `access.devices.device_register` (real hashed keys);
3. gunicorn (WSGI, sync, cores + 1 workers) on a free port of 127.0.0.1, production
   settings (DEBUG off), Redis as the shared cache;
4. baseline: GET /healthz/ hammered from the same number of client connections;
5. exact reads at a steady rate (200 checks/s by default): plates read right, 70 % with
   a grant in the patrolled lot, 10 % with one in another lot, 20 % without a permit; each
   request sent at its scheduled time, latency counted from that time (no coordinated
   omission); then the same with misreads (one confusable character swapped, or one
   dropped), whose look-alikes are the candidates;
6. maximum: exact reads, then misreads, as fast as the cameras' connections get answers;
7. a retry: reads already answered sent again must return the same checks, none new.
Checks: every answer a 200 with a verdict per read, as many PlateCheck rows as reads
answered; the plate a misread came from, when it holds a valid permit in the lot, should
be among the candidates (counted and shown). Exit 1 on an error; targets are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.billing import _insert_select
from bench.device_api import (
    CORES,
    SHARED_MACHINE,
    Baseline,
    Load,
    Target,
    baseline,
    cpu_line,
    saturate,
    site,
    steady,
)
from bench.harness import (
    ROOT,
    BenchError,
    Client,
    cpu_delta,
    cpu_snapshot,
    pg_drop,
    wait_until_quiet,
)
from bench.plates import misread, plate_of, plate_sql, shown

HOST = "patrouille.bench.localhost"
CHECKS = "/api/v1/plates/checks"
LOTS = 10
TARGET_EXACT_P99_MS = 20.0
TARGET_FUZZY_P99_MS = 50.0
# A contract's state, by its number: (c - 1) % 100 below each bound.
SUSPENDED, EXPIRED, CANCELLED, PENDING, OCCASIONAL = 2, 4, 5, 6, 8


# --- data --------------------------------------------------------------------------------


def holds_permit(n: int) -> bool:
    """One plate in five, in runs of ten (so that every pattern has permits)."""
    return (n // 10) % 5 == 0


def plate_number(contract: int) -> int:
    """The plate of contract 1, 2, ...: the permit plates in order (SQL: n / 50 * 10 +
    mod(n, 10) + 1 is the contract of plate n)."""
    return 50 * ((contract - 1) // 10) + (contract - 1) % 10


def lot_index(contract: int) -> int:
    """Contracts go to the lots by hundreds: each lot gets every state below."""
    return (contract - 1) // 100 % LOTS


def valid_in_lot(contract: int) -> bool:
    """Valid now in the patrolled lot (index 0): a plain or an occasional permit."""
    return lot_index(contract) == 0 and (contract - 1) % 100 >= PENDING


@dataclass
class Setup:
    lot_id: int
    keys: list[str]
    plates: int
    contracts: int
    grants: int


def prepared(*, devices: int) -> Setup:
    """The data of an earlier run kept with --keep-db, and new cameras (--reuse-db)."""
    from django_scopes import scope

    from parcauto.access.models import AccessGrant
    from parcauto.catalog.models import ParkingLot
    from parcauto.subscriptions.models import Subscription
    from parcauto.tenants.models import Organization
    from parcauto.vehicles.models import Vehicle

    organization = Organization.objects.filter(slug="patrouille").first()
    if organization is None:
        raise BenchError("--reuse-db: no data of an earlier run (make one with --keep-db)")
    with scope(organization=organization):
        lot = ParkingLot.objects.filter(organization=organization).order_by("number").first()
        grants = AccessGrant.objects.filter(organization=organization).count()
        contracts = Subscription.objects.filter(organization=organization).count()
    assert lot is not None
    return Setup(
        lot_id=lot.pk,
        keys=_cameras(organization, lot, devices),
        plates=Vehicle.objects.count(),
        contracts=contracts,
        grants=grants,
    )


def _cameras(organization: Any, lot: Any, devices: int) -> list[str]:
    """`devices` plate cameras of `lot`, registered as a manager does: their keys."""
    from django_scopes import scope

    from parcauto.access.devices import device_register
    from parcauto.accounts.models import User

    manager = User.objects.get(email="gestion@example.com")
    now = dt.datetime.now(dt.UTC)
    with scope(organization=organization):
        return [
            device_register(
                organization=organization,
                lot=lot,
                name=f"Caméra {n + 1} {now:%H%M%S}",
                kind="plate_camera",
                lanes="",
                actor=manager,
                now=now,
            ).key
            for n in range(devices)
        ]


def _first_id(table: str, rows: int) -> int:
    """The first id of `rows` rows just inserted in one statement: they must be consecutive."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id), count(*) FROM {table}")
        low, high, count = cursor.fetchone()
    if count != rows or high - low + 1 != rows:
        raise BenchError(f"{table}: {count} rows, ids {low}-{high}, expected {rows} in a row")
    return int(low)


def prepare(*, plates: int, devices: int) -> Setup:
    from django.db import connection
    from django_scopes import scope

    from parcauto.access.models import AccessGrant
    from parcauto.accounts.models import StaffRole, User
    from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
    from parcauto.subscriptions.models import Subscription
    from parcauto.tenants.models import Organization, OrganizationHost
    from parcauto.vehicles.models import Vehicle

    organization = Organization.objects.create(slug="patrouille", name_fr="Établissement banc")
    OrganizationHost.objects.create(organization=organization, hostname=HOST, is_primary=True)
    with scope(organization=organization):
        lots = [
            ParkingLot.objects.create(
                organization=organization, number=str(2001 + n), name=f"P{n + 1}", capacity=100_000
            )
            for n in range(LOTS)
        ]
        category = UserCategory.objects.create(organization=organization, name_fr="Employé")
        monthly, occasional = (
            PermitProduct.objects.create(
                organization=organization,
                number=number,
                name_fr=name,
                kind=kind,
                billing_frequency=billing,
                price=price,
            )
            for number, name, kind, billing, price in (
                (
                    "7117",
                    "Mensuel",
                    PermitProduct.Kind.MONTHLY,
                    PermitProduct.Billing.MONTHLY,
                    "45.00",
                ),
                (
                    "7300",
                    "Occasionnel",
                    PermitProduct.Kind.OCCASIONAL,
                    PermitProduct.Billing.PER_TERM,
                    "12.00",
                ),
            )
        )
    manager = User.objects.create(email="gestion@example.com")
    StaffRole.objects.create(user=manager, role=StaffRole.Role.MANAGER, organization=organization)
    people = plates // 2
    users, vehicles = User._meta.db_table, Vehicle._meta.db_table
    Status = Subscription.Status
    state = "mod(c - 1, 100)"  # of contract c; mod(), not %: statements with parameters
    lot_of = f"(ARRAY{[lot.pk for lot in lots]})[1 + mod((c - 1) / 100, {LOTS})]"
    # The plates with permits (holds_permit), and their contract (plate_number's inverse).
    holders = (
        "FROM generate_series(0, %s) AS n CROSS JOIN LATERAL "
        "(SELECT n / 50 * 10 + mod(n, 10) + 1 AS c) AS k WHERE mod(n / 10, 5) = 0 ORDER BY n"
    )
    with connection.cursor() as cursor:
        sql, params = _insert_select(
            User,
            {
                "email": "'conducteur' || u || '@bench.example'",
                "first_name": "'Conducteur'",
                "last_name": "'Banc ' || u",
                "date_joined": "now()",
            },
            "FROM generate_series(0, %s) AS u ORDER BY u",
        )
        cursor.execute(sql, [*params, people - 1])
        first_user = _first_id(users, people + 1) + 1  # the manager came first
        sql, params = _insert_select(
            Vehicle,
            {
                "created_at": "now()",
                "updated_at": "now()",
                "owner": f"{first_user} + n / 2",
                "plate": plate_sql("n"),
                "plate_match_key": f"translate({plate_sql('n')}, 'OQDIZSGB', '00012568')",
                "jurisdiction": "'QC'",
                "make": "(ARRAY['Toyota','Honda','Hyundai','Ford','Mazda','Kia'])[1 + mod(n, 6)]",
                "model": "'Modèle'",
                "year": "2010 + mod(n, 16)",
                "colour": "(ARRAY['Blanc','Noir','Gris','Rouge','Bleu'])[1 + mod(n, 5)]",
            },
            "FROM generate_series(0, %s) AS n ORDER BY n",
        )
        cursor.execute(sql, [*params, plates - 1])
        first_vehicle = _first_id(vehicles, plates)
        sql, params = _insert_select(
            Subscription,
            {
                "created_at": "now()",
                "updated_at": "now()",
                "organization": str(organization.pk),
                "contract_number": "c",
                "person": f"{first_user} + n / 2",
                "lot": lot_of,
                "category": str(category.pk),
                "product": f"CASE WHEN {state} >= {PENDING} AND {state} < {OCCASIONAL} "
                f"THEN {occasional.pk} ELSE {monthly.pk} END",
                "status": f"CASE WHEN {state} < {SUSPENDED} THEN '{Status.SUSPENDED}' "
                f"WHEN {state} < {EXPIRED} THEN '{Status.ENDING}' "
                f"WHEN {state} < {CANCELLED} THEN '{Status.CANCELLED}' ELSE '{Status.ACTIVE}' END",
                "step": f"'{Subscription.Step.PAYMENT}'",
                "start_date": "DATE '2026-01-01'",
                "end_date": f"CASE WHEN {state} >= {SUSPENDED} AND {state} < {EXPIRED} "
                "THEN current_date - 3 END",
                "price": "45.00",
                "billing_frequency": "'monthly'",
                "holds_unit": "true",
                "submitted_at": "now()",
                "activated_at": "now()",
            },
            holders,
        )
        cursor.execute(sql, [*params, plates - 1])
        contracts = cursor.rowcount
        first_contract = _first_id(Subscription._meta.db_table, contracts)
        through = Subscription.vehicles.through._meta.db_table
        cursor.execute(
            f"INSERT INTO {through} (subscription_id, vehicle_id) "
            f"SELECT {first_contract} + c - 1, {first_vehicle} + n " + holders,
            [plates - 1],
        )
        start = "TIMESTAMPTZ '2026-01-01 05:00+00'"
        sql, params = _insert_select(
            AccessGrant,
            {
                "created_at": "now()",
                "updated_at": "now()",
                "organization": "s.organization_id",
                "subscription": "s.id",
                "lot": "s.lot_id",
                "kind": "'plate'",
                "credential": "v.plate",
                "jurisdiction": "v.jurisdiction",
                "contract_from": start,
                # The plate changed 12 h ago: in effect 24 h after.
                "valid_from": f"CASE WHEN {state} >= {CANCELLED} AND {state} < {PENDING} "
                f"THEN now() + interval '12 hours' WHEN {state} >= {PENDING} AND "
                f"{state} < {OCCASIONAL} THEN now() - interval '1 hour' ELSE {start} END",
                "valid_until": f"CASE WHEN {state} >= {SUSPENDED} AND {state} < {EXPIRED} "
                f"THEN now() - interval '2 days' WHEN {state} >= {PENDING} AND "
                f"{state} < {OCCASIONAL} THEN now() + interval '3 hours' END",
                "state": f"CASE WHEN {state} < {SUSPENDED} THEN 'suspended' "
                f"WHEN {state} >= {EXPIRED} AND {state} < {CANCELLED} THEN 'cancelled' "
                "ELSE 'valid' END",
                "revision": "row_number() OVER (ORDER BY s.id)",
            },
            f"FROM {Subscription._meta.db_table} s "
            "CROSS JOIN LATERAL (SELECT s.contract_number AS c) AS k "
            f"JOIN {through} sv ON sv.subscription_id = s.id "
            f"JOIN {vehicles} v ON v.id = sv.vehicle_id",
        )
        cursor.execute(sql, params)
        cursor.execute("ANALYZE")
        sample = random.Random(1).sample(range(plates), min(200, plates))
        cursor.execute(f"SELECT n, {plate_sql('n')} FROM unnest(%s::int[]) AS n", [sample])
        wrong = [(n, plate) for n, plate in cursor.fetchall() if plate != plate_of(n)]
        if wrong:
            raise BenchError(f"plate_sql and plate_of disagree: {wrong[:5]}")
    with scope(organization=organization):
        grants = AccessGrant.objects.count()
    keys = _cameras(organization, lots[0], devices)
    return Setup(lot_id=lots[0].pk, keys=keys, plates=plates, contracts=contracts, grants=grants)


# --- reads -------------------------------------------------------------------------------


class Reads:
    """One camera's read batches: exact or misread plates of the module docstring's mix."""

    def __init__(self, setup: Setup, *, tag: str, fuzzy: bool, batch: int, seed: str) -> None:
        self.setup, self.tag, self.fuzzy, self.batch = setup, tag, fuzzy, batch
        self.random, self.count = random.Random(seed), 0
        self.expected: dict[str, str] = {}  # read id -> the plate a misread came from
        self.sent: list[bytes] = []  # the first few bodies, for the retry

    def _plate(self) -> tuple[str, bool]:
        """A plate and whether it holds a valid permit in the patrolled lot."""
        draw, pick = self.random, self.random.random()
        contracts = self.setup.contracts
        if pick < 0.7:  # a permit of the patrolled lot: its contracts go by hundreds
            block = draw.randrange(0, max(1, contracts // 100), LOTS)
            contract = min(contracts, block * 100 + draw.randrange(100) + 1)
            return plate_of(plate_number(contract)), valid_in_lot(contract)
        while pick < 0.8:  # a permit of another lot
            contract = draw.randrange(1, contracts + 1)
            if lot_index(contract) != 0:
                return plate_of(plate_number(contract)), False
        while True:  # no permit
            n = draw.randrange(self.setup.plates)
            if not holds_permit(n):
                return plate_of(n), False

    def body(self) -> bytes:
        reads = []
        self.expected = {}
        for _ in range(self.batch):
            self.count += 1
            read_id = f"{self.tag}-{self.count:07d}"
            plate, valid = self._plate()
            read = plate
            if self.fuzzy:
                read = misread(plate, self.random)
                if valid and read != plate:
                    self.expected[read_id] = plate
            reads.append(
                {
                    "read_id": read_id,
                    "plate": shown(read, self.random),
                    "province": "QC",
                    "confidence": round(0.6 + 0.4 * self.random.random(), 3),
                    "read_at": dt.datetime.now(dt.UTC).isoformat(),
                    "camera": f"cam-{self.tag}",
                }
            )
        body = json.dumps({"reads": reads}).encode()
        if len(self.sent) < 5:
            self.sent.append(body)
        return body

    def outcomes(self, status: int, answer: bytes) -> list[str]:
        """One label per check (its verdict and reason), and "+..." remarks."""
        if status != 200:
            return []
        try:
            results = json.loads(answer)["results"]
        except (ValueError, KeyError, TypeError):
            return ["+malformed answer"]
        labels = []
        for result in results:
            if result.get("verdict") not in ("valid", "not_valid") or not result.get("check_id"):
                labels.append("+result without verdict or check")
                continue
            labels.append(f"{result['verdict']}/{result.get('reason')}")
            if result.get("candidates"):
                labels.append("+with candidates")
            original = self.expected.get(result.get("read_id", ""))
            if original is None:
                continue
            if result["verdict"] == "valid":  # the misread is another plate, valid here
                labels.append("+misread another valid plate")
            elif any(candidate.get("plate") == original for candidate in result["candidates"]):
                labels.append("+look-alike found")
            else:
                labels.append("+look-alike missed")
        return labels


def target(
    setup: Setup, port: int, *, tag: str, fuzzy: bool, batch: int, made: list[Reads]
) -> Target:
    def source(index: int) -> Reads:
        reads = Reads(setup, tag=f"{tag}{index}", fuzzy=fuzzy, batch=batch, seed=f"{tag}{index}")
        made.append(reads)
        return reads

    return Target(port=port, host=HOST, path=CHECKS, keys=setup.keys, sources=source)


def checks_of(load: Load) -> int:
    return sum(count for label, count in load.outcomes.items() if not label.startswith("+"))


def _platechecks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enforcement_platecheck")
        return int(cursor.fetchone()[0])


def retry(setup: Setup, port: int, bodies: list[bytes]) -> list[str]:
    """Bodies already answered, sent again by their camera: the same checks, none new."""
    errors: list[str] = []
    before = _platechecks()
    client = Client(port=port, host=HOST, base_headers={"Authorization": f"Bearer {setup.keys[0]}"})
    for body in bodies:
        first = client.request(
            "POST", CHECKS, body=body, headers={"Content-Type": "application/json"}
        )
        again = client.request(
            "POST", CHECKS, body=body, headers={"Content-Type": "application/json"}
        )
        ids = [
            [result.get("check_id") for result in json.loads(response.body)["results"]]
            if response.status == 200
            else response.status
            for response in (first, again)
        ]
        if ids[0] != ids[1]:
            errors.append(f"retry: {ids[0]} then {ids[1]}")
    client.close()
    if bodies and _platechecks() - before > sum(len(json.loads(b)["reads"]) for b in bodies):
        errors.append("retry: a read sent twice made two checks")
    return errors


# --- run and report ----------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    load: Load
    cpu: dict[str, float]

    @property
    def checks(self) -> int:
        return checks_of(self.load)


def _phase(name: str, run: Any, server_pid: int, database: str) -> Phase:
    before = cpu_snapshot(server_pid, database)
    load = run()
    return Phase(name, load, cpu_delta(before, cpu_snapshot(server_pid, database)))


def _cpu_ms(cpu: dict[str, float], count: int) -> float:
    """The app server's and PostgreSQL's CPU per request or check, in ms."""
    return (cpu["app server"] + cpu["PostgreSQL"]) / max(1, count) * 1000


def report(args: argparse.Namespace, phases: list[Phase], base: Baseline, base_cpu: dict) -> None:
    healthz_ms = _cpu_ms(base_cpu, len(base.latencies))
    per_request = f"{args.batch} read{'s' if args.batch > 1 else ''} a request"
    for phase in phases:
        load = phase.load
        print(
            f"\n== {phase.name} ({per_request}, {args.connections} cameras, "
            f"{load.seconds:.1f} s) =="
        )
        print(f"  answers            {dict(load.statuses)}   checks {phase.checks}")
        reasons = {k: v for k, v in sorted(load.outcomes.items()) if not k.startswith("+")}
        remarks = {k[1:]: v for k, v in sorted(load.outcomes.items()) if k.startswith("+")}
        print(f"  verdicts           {reasons}")
        if remarks:
            print(f"  remarks            {remarks}")
        print(f"  checks/s           {phase.checks / load.seconds:7.1f}")
        print(
            f"  latency p50 / p99  {load.ms(0.5):.1f} / {load.ms(0.99):.1f} ms   (max "
            f"{load.ms(1.0):.1f} ms; client late on {load.late})"
        )
        print(f"  CPU per check      {cpu_line(phase.cpu, phase.checks)}")
        check_ms = _cpu_ms(phase.cpu, phase.checks)
        print(
            f"                     {check_ms / healthz_ms:.1f}x a /healthz/ request's; "
            f"{CORES} cores at this cost: {CORES * 1000 / check_ms:,.0f} checks/s"
        )
    print(f"\n== Baseline: GET /healthz/, same server, {args.connections} connections ==")
    print(
        f"  requests/s         {base.rate:7.1f}   (p50 {base.ms(0.5):.1f} ms, "
        f"p99 {base.ms(0.99):.1f} ms)"
    )
    print(f"  CPU per request    {cpu_line(base_cpu, len(base.latencies))}")
    for phase in phases:
        if phase.name.startswith("maximum"):
            rate = phase.checks / phase.load.seconds
            print(f"  ratio {phase.name} checks/s / baseline   {rate / base.rate:.3f}")


def measure(args: argparse.Namespace, setup: Setup, *, port: int, server_pid: int) -> int:
    errors: list[str] = []
    made: list[Reads] = []

    def phase_target(tag: str, fuzzy: bool) -> Target:
        return target(setup, port, tag=tag, fuzzy=fuzzy, batch=args.batch, made=made)

    saturate(phase_target("w", True), seconds=1.0, connections=args.connections)  # warm-up
    baseline(port=port, host=HOST, connections=args.connections, seconds=1)
    busy = wait_until_quiet(threshold=SHARED_MACHINE, patience=args.quiet_wait)
    print(f"machine busy before the measures: {busy:.0%}")
    checks_before = _platechecks()
    before = cpu_snapshot(server_pid, args.database)
    base = baseline(port=port, host=HOST, connections=args.connections, seconds=4)
    base_cpu = cpu_delta(before, cpu_snapshot(server_pid, args.database))
    if base.others:
        errors.append(f"baseline: {base.others} answers other than 200")
    rate, seconds, connections = args.rate / args.batch, args.seconds, args.connections
    phases = [
        _phase(
            f"exact reads at a steady {args.rate:.0f} checks/s",
            lambda: steady(
                phase_target("e", False), rate=rate, seconds=seconds, connections=connections
            ),
            server_pid,
            args.database,
        ),
        _phase(
            f"misreads at a steady {args.rate:.0f} checks/s",
            lambda: steady(
                phase_target("f", True), rate=rate, seconds=seconds, connections=connections
            ),
            server_pid,
            args.database,
        ),
        _phase(
            "maximum, exact reads",
            lambda: saturate(phase_target("x", False), seconds=seconds, connections=connections),
            server_pid,
            args.database,
        ),
        _phase(
            "maximum, misreads",
            lambda: saturate(phase_target("y", True), seconds=seconds, connections=connections),
            server_pid,
            args.database,
        ),
    ]
    answered = sum(phase.checks for phase in phases)
    recorded = _platechecks() - checks_before
    for phase in phases:
        load = phase.load
        if set(load.statuses) != {200}:
            errors.append(f"{phase.name}: answers {dict(load.statuses)}, expected only 200s")
        bad = {
            k: v
            for k, v in load.outcomes.items()
            if k in ("+malformed answer", "+result without verdict or check")
        }
        if bad:
            errors.append(f"{phase.name}: {bad}")
    if recorded != answered:
        errors.append(f"{answered} checks answered but {recorded} PlateCheck rows recorded")
    retried = [body for reads in made if reads.tag.startswith("e") for body in reads.sent[:2]]
    errors += retry(setup, port, retried)
    report(args, phases, base, base_cpu)
    print(
        f"\n  database           {recorded} PlateCheck rows for {answered} checks answered; "
        f"{setup.plates:,} plates, {setup.grants:,} plate grants; {len(retried)} requests "
        "sent twice more (retries)"
    )
    exact, fuzzy = phases[0].load.ms(0.99), phases[1].load.ms(0.99)
    targets = [
        (
            exact <= TARGET_EXACT_P99_MS,
            f"p99 <= {TARGET_EXACT_P99_MS:.0f} ms, exact reads at {args.rate:.0f}/s",
        ),
        (
            fuzzy <= TARGET_FUZZY_P99_MS,
            f"p99 <= {TARGET_FUZZY_P99_MS:.0f} ms, misreads at {args.rate:.0f}/s",
        ),
    ]
    print()
    for met, label in targets:
        print(f"  {'PASS' if met else 'FAIL'}  {label}")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    fresh = not args.reuse_db
    with site(pg_url=args.pg_url, database=args.database, host=HOST, fresh=fresh) as bench_site:
        t = time.monotonic()
        if fresh:
            setup = prepare(plates=args.plates, devices=args.devices)
        else:
            setup = prepared(devices=args.devices)
        print(
            f"database {args.database}: {setup.plates:,} plates (vehicles), {setup.contracts:,} "
            f"contracts, {setup.grants:,} plate grants, {len(setup.keys)} cameras in "
            f"{time.monotonic() - t:.1f} s; cache: {bench_site.cache}"
        )
        port, server_pid = bench_site.serve(workers=args.workers)
        print(f"gunicorn sync x{args.workers} workers on 127.0.0.1:{port}")
        status = measure(args, setup, port=port, server_pid=server_pid)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plates", type=int, default=1_000_000, help="a fifth hold permits")
    parser.add_argument("--devices", type=int, default=8, help="plate cameras of the lot")
    parser.add_argument("--connections", type=int, default=8, help="one per camera")
    parser.add_argument("--rate", type=float, default=200.0, help="checks/s, steady phases")
    parser.add_argument("--batch", type=int, default=1, help="reads a request (1 to 100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="each load phase")
    parser.add_argument("--workers", type=int, default=CORES + 1)
    parser.add_argument("--quiet-wait", type=float, default=20.0)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="parcauto_bench_enforcement")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="the data of a run kept with --keep-db (kept)"
    )
    args = parser.parse_args()
    args.keep_db = args.keep_db or args.reuse_db
    if args.plates < 1000 or not 1 <= args.batch <= 100:
        parser.error("--plates must be at least 1000 and --batch 1 to 100")
    sys.path.insert(0, str(ROOT))
    try:
        return run(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep_db:
            pg_drop(args.pg_url, args.database)


if __name__ == "__main__":
    sys.exit(main())
