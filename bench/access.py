"""Gates at rush hour: one lot's devices posting decisions through gunicorn with real keys.

`make bench` (or `.venv/bin/python -m bench.access --help`). Steps:
1. a fresh PostgreSQL database, migrated, static files collected;
2. the data in the database itself (INSERT ... SELECT over generate_series, as
   bench/billing.py does; the grants are written directly, not by `access_sync`):
   one institution, 10 lots, 100,000 active contracts (10,000 on the gates' lot), and for
   each contract one pass grant (SHA-256 of a known token) and two plate grants: 300,000
   grants, 200,000 of them plates. The gates' lot has anti-passback on. Its devices are
   registered through `access.devices.device_register` (real hashed keys);
3. gunicorn (WSGI, sync, cores + 1 workers) on 127.0.0.1, production settings (DEBUG
   off), Redis as the shared cache (the per-device throttle counts there);
4. steady load: decisions posted at a fixed rate (200/s by default) for some seconds,
   each request sent at its scheduled time; latency counted from that time, so a
   server falling behind shows in it (no coordinated omission);
5. maximum, in rounds (3 by default) each after its baseline: GET /healthz/ hammered for
   3 s from the same number of client connections, then as many decisions as the
   connections can get through for half the steady phase's seconds; the ratio is the
   median of the rounds' (`device_api.paired_maximum`);
6. the allowlist of the 10,000-permit lot, whole; then one grant changed (a new revision,
   as a sync writes it) and the delta since the previous revision.
Requests: 70 % passes of the lot's contracts (entries and exits, so anti-passback
refuses some), 20 % plates, 5 % unknown passes, 5 % passes of another lot. Every answer
must be a 200 with a decision, and every decision an event (checked in the database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.billing import _insert_select
from bench.device_api import (
    CORES,
    SHARED_MACHINE,
    Target,
    api_environment,
    baseline,
    cpu_line,
    paired_maximum,
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
    percentile,
    pg_drop,
    wait_until_quiet,
)

HOST = "acces.bench.localhost"
DECISIONS = "/api/v1/access/decisions"
LOTS = 10
TARGET_P99_MS = 20.0
TARGET_RATIO = 0.3
TARGET_ALLOWLIST_S = 1.0
TARGET_DELTA_MS = 50.0


def token_of(contract: int) -> str:
    """The pass token of the n-th contract (the SQL below hashes the same text)."""
    return f"bench{contract:010d}_parcauto_pass"


def server_environment(*, database_url: str, var_dir: Path, redis_url: str) -> dict[str, str]:
    """The device benchmarks' production settings (bench.device_api), on this run's host."""
    return api_environment(
        host=HOST, database_url=database_url, var_dir=var_dir, redis_url=redis_url
    )


# --- data --------------------------------------------------------------------------------


@dataclass
class Setup:
    lot_id: int
    gate_contracts: range  # the contract numbers (1-based) on the gates' lot
    other_contracts: range
    keys: list[str]
    grant_rows: int


def prepare(*, contracts: int, gate_permits: int, devices: int) -> Setup:
    from django.db import connection
    from django_scopes import scope

    from parcauto.access.devices import device_register
    from parcauto.access.models import AccessGrant
    from parcauto.accounts.models import StaffRole, User
    from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
    from parcauto.subscriptions.models import Subscription
    from parcauto.tenants.models import Organization, OrganizationHost

    organization = Organization.objects.create(slug="acces", name_fr="Établissement banc")
    OrganizationHost.objects.create(organization=organization, hostname=HOST, is_primary=True)
    with scope(organization=organization):
        lots = [
            ParkingLot.objects.create(
                organization=organization,
                number=str(1001 + n),
                name=f"P{n + 1}",
                capacity=100_000,
                anti_passback=n == 0,
            )
            for n in range(LOTS)
        ]
        category = UserCategory.objects.create(organization=organization, name_fr="Employé")
        product = PermitProduct.objects.create(
            organization=organization,
            number="7117",
            name_fr="Mensuel",
            kind=PermitProduct.Kind.MONTHLY,
            billing_frequency=PermitProduct.Billing.MONTHLY,
            price="45.00",
        )
    person = User.objects.create(email="bench@example.com")
    manager = User.objects.create(email="gestion@example.com")
    StaffRole.objects.create(user=manager, role=StaffRole.Role.MANAGER, organization=organization)
    gate, others = lots[0], [lot.pk for lot in lots[1:]]
    # Contract n: the gates' lot for n <= gate_permits, else one of the other nine.
    lot_of = (
        f"CASE WHEN n <= {gate_permits} THEN {gate.pk} "
        f"ELSE (ARRAY{others})[1 + n %% {len(others)}] END"
    )
    subscriptions = _insert_select(
        Subscription,
        {
            "created_at": "now()",
            "updated_at": "now()",
            "organization": str(organization.pk),
            "contract_number": "n",
            "person": str(person.pk),
            "lot": lot_of,
            "category": str(category.pk),
            "product": str(product.pk),
            "status": f"'{Subscription.Status.ACTIVE}'",
            "step": f"'{Subscription.Step.PAYMENT}'",
            "start_date": "DATE '2026-01-01'",
            "price": "45.00",
            "billing_frequency": "'monthly'",
            "holds_unit": "true",
            "submitted_at": "now()",
            "activated_at": "now()",
        },
        "FROM generate_series(1, %s) AS n",
    )
    # Per contract: its pass, its plate, and a second plate added a day ago (in effect).
    credential = (
        "CASE k WHEN 0 THEN encode(sha256(convert_to("
        "'bench' || lpad(s.contract_number::text, 10, '0') || '_parcauto_pass', 'UTF8')), 'hex') "
        "WHEN 1 THEN 'P' || lpad(s.contract_number::text, 7, '0') "
        "ELSE 'Q' || lpad(s.contract_number::text, 7, '0') END"
    )
    grants = _insert_select(
        AccessGrant,
        {
            "created_at": "now()",
            "updated_at": "now()",
            "organization": "s.organization_id",
            "subscription": "s.id",
            "lot": "s.lot_id",
            "kind": "CASE k WHEN 0 THEN 'pass' ELSE 'plate' END",
            "credential": credential,
            "jurisdiction": "CASE k WHEN 0 THEN '' ELSE 'QC' END",
            "contract_from": "TIMESTAMPTZ '2026-01-01 05:00+00'",
            "valid_from": "CASE k WHEN 2 THEN now() - interval '1 day' "
            "ELSE TIMESTAMPTZ '2026-01-01 05:00+00' END",
            "state": "'valid'",
            "revision": "row_number() OVER (ORDER BY s.id, k)",
        },
        f"FROM {Subscription._meta.db_table} s CROSS JOIN generate_series(0, 2) AS k",
    )
    with connection.cursor() as cursor:
        sql, params = subscriptions
        cursor.execute(sql, [*params, contracts])
        sql, params = grants
        cursor.execute(sql, params)
        cursor.execute("ANALYZE")
    now = dt.datetime.now(dt.UTC)
    with scope(organization=organization):
        grant_rows = AccessGrant.objects.count()
        keys = [
            device_register(
                organization=organization,
                lot=gate,
                name=f"Barrière {n + 1}",
                kind="gate_reader",
                lanes="",
                actor=manager,
                now=now,
            ).key
            for n in range(devices)
        ]
    return Setup(
        lot_id=gate.pk,
        gate_contracts=range(1, gate_permits + 1),
        other_contracts=range(gate_permits + 1, contracts + 1),
        keys=keys,
        grant_rows=grant_rows,
    )


# --- load --------------------------------------------------------------------------------


class Requests:
    """Decision bodies: the mix of the module docstring, a fresh nonce each."""

    def __init__(self, setup: Setup, seed: int) -> None:
        self.setup, self.random, self.count = setup, random.Random(seed), 0

    def body(self) -> bytes:
        self.count += 1
        pick, draw = self.random.random(), self.random
        if pick < 0.70:
            shown = {"token": token_of(draw.choice(self.setup.gate_contracts))}
        elif pick < 0.90:
            contract = draw.choice(self.setup.gate_contracts)
            shown = {"plate": f"P{contract:07d}", "province": "QC"}
        elif pick < 0.95:
            shown = {"token": secrets.token_urlsafe(24)}
        else:
            shown = {"token": token_of(draw.choice(self.setup.other_contracts))}
        body = {
            **shown,
            "lot": self.setup.lot_id,
            "direction": "entry" if draw.random() < 0.6 else "exit",
            "device_time": dt.datetime.now(dt.UTC).isoformat(),
            "nonce": secrets.token_hex(12),
        }
        return json.dumps(body).encode()

    def outcomes(self, status: int, answer: bytes) -> list[str]:
        return [json.loads(answer).get("reason", "")] if status == 200 else []


def decisions(setup: Setup, port: int) -> Target:
    """The gates' devices posting decisions, one connection each."""
    return Target(
        port=port,
        host=HOST,
        path=DECISIONS,
        keys=setup.keys,
        sources=lambda index: Requests(setup, seed=index),
    )


# --- the allowlist -----------------------------------------------------------------------


def allowlist(setup: Setup, *, port: int, tries: int) -> dict[str, float]:
    """The whole list of the gates' lot (best and median of `tries`), then the delta after
    one change, each time after another grant of the lot is rewritten."""
    from django.db import connection

    from parcauto.access.models import AccessGrant

    client = Client(port=port, host=HOST, base_headers={"Authorization": f"Bearer {setup.keys[0]}"})
    path = f"/api/v1/lots/{setup.lot_id}/allowlist"
    fulls, size, rows, revision = [], 0, 0, 0
    for _ in range(tries):
        response = client.request("GET", path)
        if response.status != 200:
            raise BenchError(f"allowlist answered {response.status}")
        fulls.append(response.latency)
        body = json.loads(response.body)
        size, rows, revision = len(response.body), len(body["grants"]), body["revision"]
    deltas = []
    table = AccessGrant._meta.db_table
    for n in range(tries):
        with connection.cursor() as cursor:  # one grant suspended, as a sync writes it
            cursor.execute(
                f"UPDATE {table} SET state = 'suspended', revision = "
                f"(SELECT max(revision) + 1 FROM {table}) WHERE id = ("
                f"SELECT id FROM {table} WHERE lot_id = %s AND state = 'valid' "
                "ORDER BY id LIMIT 1 OFFSET %s)",
                [setup.lot_id, n],
            )
        response = client.request("GET", f"{path}?since={revision}")
        delta = json.loads(response.body)
        if response.status != 200 or len(delta["removed"]) != 1 or delta["grants"]:
            raise BenchError(f"the delta after one change is wrong: {response.body[:300]!r}")
        deltas.append(response.latency)
        revision = delta["revision"]
    client.close()
    return {
        "full_best": min(fulls),
        "full_median": percentile(fulls, 0.5),
        "size_mb": size / 1e6,
        "rows": rows,
        "delta_best": min(deltas),
        "delta_median": percentile(deltas, 0.5),
    }


# --- run and report ----------------------------------------------------------------------


def _events() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM access_accessevent")
        return int(cursor.fetchone()[0])


def measure(args: argparse.Namespace, setup: Setup, *, port: int, server_pid: int) -> int:
    errors: list[str] = []
    target = decisions(setup, port)
    saturate(target, seconds=1.0, connections=args.connections)  # warm-up
    baseline(port=port, host=HOST, connections=args.connections, seconds=1)
    busy = wait_until_quiet(threshold=SHARED_MACHINE, patience=args.quiet_wait)
    print(f"machine busy before the measures: {busy:.0%}")
    events_before = _events()

    before = cpu_snapshot(server_pid, args.database)
    calm = steady(target, rate=args.rate, seconds=args.seconds, connections=args.connections)
    calm_cpu = cpu_delta(before, cpu_snapshot(server_pid, args.database))

    paired = paired_maximum(
        target,
        connections=args.connections,
        rounds=args.rounds,
        seconds=args.seconds / 2,
        snapshot=lambda: cpu_snapshot(server_pid, args.database),
    )
    full, full_cpu = paired.load, paired.cpu
    for index, base in enumerate(paired.baselines):
        if base.others:
            errors.append(f"baseline {index + 1}: {base.others} answers other than 200")

    lists = allowlist(setup, port=port, tries=5)
    sent = len(calm.latencies) + len(full.latencies)
    recorded = _events() - events_before
    for name, load in (("steady", calm), ("maximum", full)):
        if set(load.statuses) != {200}:
            errors.append(f"{name}: answers {dict(load.statuses)}, expected only 200s")
    if recorded != sent:
        errors.append(f"{sent} decisions answered but {recorded} events recorded")

    p99 = calm.ms(0.99)
    print(
        f"\n== Decisions at a steady {args.rate:.0f}/s for {args.seconds:.0f} s, "
        f"{args.connections} devices =="
    )
    print(
        f"  answers            {dict(calm.statuses)}   "
        f"reasons {dict(sorted(calm.outcomes.items()))}"
    )
    print(f"  latency p50        {calm.ms(0.5):7.1f} ms   (from each request's scheduled time)")
    print(
        f"  latency p99        {p99:7.1f} ms   (max {calm.ms(1.0):.1f} ms; "
        f"client late on {calm.late})"
    )
    print(f"  CPU per decision   {cpu_line(calm_cpu, len(calm.latencies))}")
    print(
        f"\n== Maximum: {args.connections} devices as fast as answered, {args.rounds} rounds "
        f"of {args.seconds / 2:.0f} s, each after 3 s of GET /healthz/ (same server, "
        f"{args.connections} connections) =="
    )
    for index, (base, load) in enumerate(zip(paired.baselines, paired.loads, strict=True)):
        print(
            f"  round {index + 1}            decisions/s {load.rate:7.1f}   /healthz/ "
            f"{base.rate:7.1f}/s (p99 {base.ms(0.99):.1f} ms)   ratio {load.rate / base.rate:.3f}"
        )
    print(f"  decisions/s        {full.rate:7.1f}   answers {dict(full.statuses)}")
    print(f"  latency p50 / p99  {full.ms(0.5):.1f} / {full.ms(0.99):.1f} ms")
    print(f"  CPU per decision   {cpu_line(full_cpu, len(full.latencies))}")
    print(f"  ratio maximum decisions/s / baseline   {paired.ratio:.3f} (median of the rounds)")
    print(
        f"\n== Allowlist of the gates' lot ({lists['rows']:,} grants, {lists['size_mb']:.1f} MB) =="
    )
    print(
        f"  whole list         {lists['full_median'] * 1000:7.1f} ms median "
        f"(best {lists['full_best'] * 1000:.1f})"
    )
    print(
        f"  delta after 1 change {lists['delta_median'] * 1000:5.1f} ms median "
        f"(best {lists['delta_best'] * 1000:.1f})"
    )
    print(
        f"  database           {recorded} events for {sent} decisions; {setup.grant_rows:,} grants"
    )
    targets = [
        (p99 <= TARGET_P99_MS, f"p99 <= {TARGET_P99_MS:.0f} ms at {args.rate:.0f}/s"),
        (paired.ratio >= TARGET_RATIO, f"maximum >= {TARGET_RATIO}x baseline"),
        (lists["full_median"] <= TARGET_ALLOWLIST_S, "whole allowlist <= 1 s"),
        (lists["delta_median"] * 1000 <= TARGET_DELTA_MS, "delta after a change <= 50 ms"),
    ]
    print()
    for met, label in targets:
        print(f"  {'PASS' if met else 'FAIL'}  {label}")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with site(pg_url=args.pg_url, database=args.database, host=HOST) as bench_site:
        t = time.monotonic()
        setup = prepare(
            contracts=args.contracts, gate_permits=args.gate_permits, devices=args.devices
        )
        print(
            f"database {args.database}: {args.contracts:,} contracts, "
            f"{setup.grant_rows:,} grants, {len(setup.keys)} devices on the gates' lot "
            f"({args.gate_permits:,} permits) in {time.monotonic() - t:.1f} s; "
            f"cache: {bench_site.cache}"
        )
        port, server_pid = bench_site.serve(workers=args.workers)
        print(f"gunicorn sync x{args.workers} workers on 127.0.0.1:{port}")
        status = measure(args, setup, port=port, server_pid=server_pid)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--gate-permits", type=int, default=10_000)
    parser.add_argument("--devices", type=int, default=8, help="the gates' lot's devices")
    parser.add_argument("--connections", type=int, default=8, help="one per device")
    parser.add_argument("--rate", type=float, default=200.0, help="decisions/s, steady phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="each load phase")
    parser.add_argument("--rounds", type=int, default=3, help="of the maximum and baseline")
    parser.add_argument("--workers", type=int, default=CORES + 1)
    parser.add_argument("--quiet-wait", type=float, default=20.0)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="parcauto_bench_access")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.gate_permits > args.contracts:
        parser.error("--gate-permits cannot exceed --contracts")
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
