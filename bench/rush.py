"""Opening day through the real HTTP stack: 1,000 students, 300 units, one hot product.

`make bench` (or `.venv/bin/python -m bench.rush --help`). Steps:
1. a fresh PostgreSQL database (dropped and recreated), migrated, static files collected;
2. the data through the ORM and the services: one institution and its host name, a lot,
   a category, a product with 300 units, 1,000 people each with a draft at the payment
   step (as tests/subscriptions/conftest.py does), each with a signed-in session, a
   CSRF token and a card's temporary token from the sandbox gateway;
3. gunicorn (WSGI) on a free port of 127.0.0.1, production settings (DEBUG off);
4. baseline: a trivial view (/healthz/) hammered with the same client concurrency;
5. the rush: every student POSTs the payment step once, all at the same moment, through
   a bounded number of client connections; latency and outcome of each request;
6. the database afterwards: units taken, requests submitted, contract numbers, oversold.
Exit status: 1 on oversell or any error; the targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import os
import queue
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import (
    ROOT,
    BenchError,
    Client,
    Response,
    cpu_delta,
    cpu_snapshot,
    free_port,
    gunicorn_command,
    hammer,
    percentile,
    pg_drop,
    pg_recreate,
    profile_summary,
    redis_command,
    run_threads,
    sampled,
    wait_until_quiet,
)
from bench.harness import running as running_process

HOST = "rush.bench.localhost"  # the institution's portal host (data: OrganizationHost)
BASELINE_PATH = "/healthz/"
# The wizard's last step (parcauto/portal/subscription_views.py).
SUBMIT_PATH = "/abonnements/nouveau/paiement/"
# Accepted: "Soumettre" redirects to "Détails de l'abonnement" (/abonnements/<pk>/).
ACCEPTED_LOCATION = re.compile(r"/abonnements/(\d+)/$")
# Sold out: the payment page again, with SoldOut's message (French, or English untranslated).
SOLD_OUT_MARKERS = ("ce permis est complet", "this permit is sold out")
# Visa, approved (parcauto/payments/gateways/simulator.py); tokenized by the sandbox gateway.
TEST_CARD = "4242424242424242"
TARGET_ACCEPTED_PER_S = 150.0
TARGET_P99_S = 1.0
# Above this share of the machine used by others, the numbers are flagged (a shared host).
SHARED_MACHINE = 0.10
CORES = os.cpu_count() or 1


@dataclass
class Student:
    email: str
    session_key: str
    csrf_token: str
    subscription_id: int
    card_token: str  # the temporary token the gateway's card iframe leaves in the form
    host: str = HOST  # the portal the student buys on


@dataclass
class Setup:
    product_id: int
    organization_id: int
    students: list[Student]


# --- environment -----------------------------------------------------------------------------


def server_environment(*, database_url: str, var_dir: Path, redis_url: str) -> dict[str, str]:
    """Production settings, with what plain HTTP on 127.0.0.1 needs and nothing weakened.

    The client sends X-Forwarded-Proto: https as the TLS proxy in front of production
    does, so secure cookies, CSRF origin checks and the HTTPS redirect behave as there.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECURE_", "PARCAUTO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="parcauto.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),  # throwaway; sessions are made with it
        DJANGO_ALLOWED_HOSTS=f".{HOST},127.0.0.1,localhost",  # and the portals of bench.cluster
        DATABASE_URL=database_url,
        # Persistent connections, longer than a run. settings.py defaults to 0 (a new
        # connection per request): production must set it, see bench/README.md.
        DB_CONN_MAX_AGE="600",
        SECURE_SSL_REDIRECT="false",  # belt and braces: the proxy header already says https
        PARCAUTO_VAR_DIR=str(var_dir),  # e-mails and uploads of the run: thrown away
        # What production's start-up checks ask for (parcauto.core.checks), as a staging
        # site gives it: the sandbox gateway on purpose, e-mails kept in files, a new key.
        PARCAUTO_ALLOW_SANDBOX_GATEWAY="true",
        EMAIL_URL=f"file://{var_dir / 'mail'}",
        PAYMENTS_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
        # The 1,000 students would come from 1,000 addresses; here all share 127.0.0.1.
        # Each still counts once against its own account's limit.
        PARCAUTO_RATE_LIMIT_PAYMENT_SUBMIT="10/h/user,1000000/h/ip",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


# --- data ------------------------------------------------------------------------------------


def prepare(*, students: int, units: int, tag: str = "") -> Setup:
    """The offer and the students, through the ORM and the services (this process's Django).

    A `tag` (a letter) makes another institution beside the first, on `<tag>.<HOST>`, with
    students of its own (bench.cluster prepares one per scenario in one database).
    """
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django_scopes import scopes_disabled

    from parcauto.accounts.models import Profile, User
    from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
    from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
    from parcauto.subscriptions.services import drafts
    from parcauto.tenants.models import LegalText, Organization, OrganizationHost
    from parcauto.vehicles.models import Vehicle

    session_store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
    now = timezone.now()
    today = timezone.localdate(now)
    card_expiry = f"{(today.year + 2) % 100:02d}12"  # YYMM, in the future
    host = f"{tag}.{HOST}" if tag else HOST
    with scopes_disabled(), transaction.atomic():
        organization = Organization.objects.create(
            slug=f"cegep-bench{tag}", name_fr="Cégep du banc d'essai", name_en="Bench College"
        )
        OrganizationHost.objects.create(organization=organization, hostname=host, is_primary=True)
        for kind in (LegalText.Kind.SUBSCRIPTION_CONDITIONS, LegalText.Kind.PAYMENT_CONDITIONS):
            LegalText.objects.create(
                organization=organization, kind=kind, version=1, body_fr="Texte", published_at=now
            )
        lot = ParkingLot.objects.create(
            organization=organization,
            number="1085",
            name="Stationnement principal",
            address_line="945 chemin de Chambly",
            city="Longueuil",
            postal_code="J4H 3M6",
            access_mode=ParkingLot.AccessMode.PLATE,
            capacity=units,
        )
        category = UserCategory.objects.create(
            organization=organization, name_fr="Étudiant", name_en="Student"
        )
        product = PermitProduct.objects.create(
            organization=organization,
            number="5569",
            name_fr="Permis de session",
            name_en="Term permit",
            kind=PermitProduct.Kind.FIXED_TERM,
            billing_frequency=PermitProduct.Billing.PER_TERM,
            price=Decimal("215.00"),
            term_start=today,
            term_end=today + dt.timedelta(days=120),
            approval_required=True,
            quantity=units,
        )
        product.lots.set([lot])
        product.categories.set([category])

        unusable = make_password(None)
        people = User.objects.bulk_create(
            User(email=f"etudiant{tag}{i:04d}@bench.example", password=unusable)
            for i in range(students)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True)
            for user in people
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                gender="woman",
                first_name="Marie",
                last_name=f"Tremblay {i}",
                address_line1="945 chemin de Chambly",
                city="Longueuil",
                province="QC",
                postal_code="J4H 3M6",
                mobile_phone="+14505551234",
            )
            for i, user in enumerate(people)
        )
        vehicles = Vehicle.objects.bulk_create(
            Vehicle(
                owner=user,
                plate=f"B{tag.upper()}{i:05d}",
                plate_match_key=f"B{tag.upper()}{i:05d}",
                jurisdiction="QC",
                make="Honda",
                model="Civic",
                year=2018,
                colour="Bleu",
            )
            for i, user in enumerate(people)
        )

    prepared: list[Student] = []
    for start in range(0, students, 100):  # one commit per hundred people
        with scopes_disabled(), transaction.atomic():
            for person, vehicle in zip(
                people[start : start + 100], vehicles[start : start + 100], strict=True
            ):
                draft = drafts.subscription_draft_choose(
                    person=person,
                    organization=organization,
                    lot=lot,
                    category=category,
                    product=product,
                    start_date=today,
                    end_date=None,
                    accepted_conditions=True,
                    accepted_approval_notice=True,
                    now=now,
                )
                drafts.subscription_draft_set_vehicles(
                    subscription=draft, vehicles=[vehicle], now=now
                )
                drafts.subscription_draft_set_details(subscription=draft, now=now)
                draft = drafts.subscription_draft_review(subscription=draft, now=now)
                session = session_store()
                session[SESSION_KEY] = str(person.pk)
                session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
                session[HASH_SESSION_KEY] = person.get_session_auth_hash()
                session.create()
                # What the sandbox's card iframe does when the student types a test card.
                card = sandbox_card_tokenize(number=TEST_CARD, expiry=card_expiry, now=now)
                prepared.append(
                    Student(
                        email=person.email,
                        session_key=str(session.session_key),
                        csrf_token=get_random_string(32),
                        subscription_id=draft.pk,
                        card_token=card.token,
                        host=host,
                    )
                )
    return Setup(product_id=product.pk, organization_id=organization.pk, students=prepared)


def verify(setup: Setup, *, units: int) -> dict[str, int]:
    """What the database says once the rush is over."""
    from django.db import connections
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from parcauto.catalog.models import PermitProduct
    from parcauto.subscriptions.models import Subscription

    connections.close_all()  # a fresh view of the committed rows
    with scopes_disabled():
        product = PermitProduct.objects.get(pk=setup.product_id)
        requests = Subscription.objects.filter(product_id=setup.product_id)
        sent = requests.exclude(status=Subscription.Status.DRAFT)
        numbered = requests.filter(contract_number__isnull=False)
        by_status = dict(
            requests.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        return {
            "units_taken": product.units_taken,
            "submitted": sent.count(),
            "holding_a_unit": requests.filter(holds_unit=True).count(),
            "contract_numbers": numbered.count(),
            "distinct_contract_numbers": numbered.values("contract_number").distinct().count(),
            "still_draft": by_status.get(Subscription.Status.DRAFT, 0),
            "oversold": max(0, sent.count() - units),
        }


# --- the requests ------------------------------------------------------------------------------


def student_headers(student: Student) -> dict[str, str]:
    return {
        "Host": student.host,
        "Cookie": f"sessionid={student.session_key}; csrftoken={student.csrf_token}",
        "X-Forwarded-Proto": "https",
        "Origin": f"https://{student.host}",
        "Referer": f"https://{student.host}{SUBMIT_PATH}",
        "X-CSRFToken": student.csrf_token,
        "Accept-Language": "fr",
    }


def submit_form(student: Student, *, accept: bool = True) -> bytes:
    """The payment step as the browser posts it (field names of the wizard's form)."""
    fields = {
        "csrfmiddlewaretoken": student.csrf_token,
        "request": str(student.subscription_id),
        "payment_method": "card",
        "card_token": student.card_token,
        "accepted_charge_after_approval": "on",
    }
    if accept:
        fields["accepted_payment_conditions"] = "on"
    return urlencode(fields).encode()


def outcome(response: Response, student: Student) -> str:
    """accepted (redirect to the student's request), sold out (its message), or an error."""
    if response.error:
        return "connection error"
    accepted = ACCEPTED_LOCATION.search(response.location) if response.status == 302 else None
    if accepted and int(accepted.group(1)) == student.subscription_id:
        return "accepted"
    if response.status == 200:
        text = response.body.decode("utf-8", "replace").lower()
        if any(marker in text for marker in SOLD_OUT_MARKERS):
            return "sold out"
    return f"HTTP {response.status}"


def post_all(
    *, port: int, students: list[Student], concurrency: int, accept: bool = True
) -> list[tuple[Student, Response]]:
    """Every student posts once, through `concurrency` connections released together."""
    todo: queue.SimpleQueue[Student] = queue.SimpleQueue()
    for student in students:
        todo.put(student)
    results: list[list[tuple[Student, Response]]] = [[] for _ in range(concurrency)]

    def worker(index: int) -> None:
        client = Client(
            port=port,
            host=HOST,
            base_headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        while True:
            try:
                student = todo.get_nowait()
            except queue.Empty:
                break
            response = client.request(
                "POST",
                SUBMIT_PATH,
                body=submit_form(student, accept=accept),
                headers=student_headers(student),
            )
            results[index].append((student, response))
        client.close()

    run_threads(min(concurrency, len(students)), worker)
    return [item for chunk in results for item in chunk]


# --- the run ---------------------------------------------------------------------------------


def collect_static(env: dict[str, str]) -> None:
    """Build the static manifest as a deploy does (DEBUG off serves hashed names)."""
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"collectstatic failed:\n{done.stderr[-2000:]}")


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="parcauto-bench-"))
    static_root = ROOT / "staticfiles"  # settings.STATIC_ROOT, filled by collectstatic
    static_root_existed = static_root.exists()
    try:
        return run_in(args, var_dir=var_dir, started=started)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if not static_root_existed:  # leave the work tree as found
            shutil.rmtree(static_root, ignore_errors=True)


def run_in(args: argparse.Namespace, *, var_dir: Path, started: float) -> int:
    database_url = pg_recreate(args.pg_url, args.database)
    redis_port = free_port()
    redis = redis_command(redis_port) if args.cache == "redis" else None
    if args.cache == "redis" and redis is None:
        raise BenchError(
            "redis-server is not installed: apt-get install redis-server, or --cache db"
        )
    redis_url = f"redis://127.0.0.1:{redis_port}/0" if redis else ""
    env = server_environment(database_url=database_url, var_dir=var_dir, redis_url=redis_url)
    env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    collect_static(env)
    env["DJANGO_SETTINGS_MODULE"] = args.settings
    os.environ.update(env)

    with contextlib.ExitStack() as stack:
        if redis:  # first: sessions in a cache-backed engine are written there
            stack.enter_context(
                running_process(redis, env=env, log=var_dir / "redis.log", port=redis_port)
            )
        import django
        from django.core.management import call_command

        django.setup()
        print(f"database {args.database} on {args.pg_url}, cache: {args.cache}")
        t = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        print(f"migrated in {time.monotonic() - t:.1f} s; settings {env['DJANGO_SETTINGS_MODULE']}")
        t = time.monotonic()
        setup = prepare(students=args.students, units=args.units)
        print(f"prepared {len(setup.students)} students in {time.monotonic() - t:.1f} s")

        port = free_port()
        command = gunicorn_command(
            port=port,
            workers=args.workers,
            threads=args.threads,
            worker_class=args.worker_class,
            app=args.app,
        )
        server_pid = stack.enter_context(
            running_process(command, env=env, log=var_dir / "gunicorn.log", port=port)
        )
        threads = f" x{args.threads} threads" if args.worker_class == "gthread" else ""
        print(
            f"gunicorn {args.worker_class} x{args.workers} workers{threads}"
            f" on 127.0.0.1:{port}; client: {args.concurrency} connections"
        )
        status = measure(args, port=port, server_pid=server_pid, setup=setup)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    return status


@dataclass
class Rush:
    results: list[tuple[Student, Response]]
    outcomes: Counter[str]
    accepted_per_s: float
    accepted_window: float
    requests_per_s: float
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]


def rush_summary(
    results: list[tuple[Student, Response]], *, units: int, cpu: dict[str, float]
) -> Rush:
    """Accepted/s: the units sold divided by the time from the first request to the last sale."""
    kinds = [(outcome(response, student), response) for student, response in results]
    first = min(response.started for _, response in kinds)
    last = max(response.finished for _, response in kinds)
    sales = sorted(response.finished for kind, response in kinds if kind == "accepted")
    sold = min(units, len(sales))
    window = sales[sold - 1] - first if sold else 0.0
    return Rush(
        results=results,
        outcomes=Counter(kind for kind, _ in kinds),
        accepted_per_s=sold / window if window else 0.0,
        accepted_window=window,
        requests_per_s=len(results) / (last - first),
        seconds=last - first,
        latencies=[response.latency for _, response in kinds],
        cpu=cpu,
    )


def check(rush: Rush, db: dict[str, int], *, units: int, students: int) -> list[str]:
    """Errors: oversell, answers that are neither a sale nor "sold out", database mismatches."""
    errors = []
    if db["oversold"]:
        errors.append(f"OVERSOLD by {db['oversold']}")
    unexpected = {k: n for k, n in rush.outcomes.items() if k not in ("accepted", "sold out")}
    if unexpected:
        errors.append(f"unexpected answers: {unexpected}")
        student, sample = next(
            (st, r) for st, r in rush.results if outcome(r, st) not in ("accepted", "sold out")
        )
        errors.append(
            f"first of them ({student.email}): HTTP {sample.status} {sample.location} "
            f"{sample.error} {sample.body[:300]!r}"
        )
    expected = min(units, students)
    wanted = {
        "units_taken": expected,
        "submitted": expected,
        "holding_a_unit": expected,
        "contract_numbers": expected,
        "distinct_contract_numbers": expected,
    }
    errors += [
        f"database: {name} = {db[name]}, expected {want}"
        for name, want in wanted.items()
        if db[name] != want
    ]
    if rush.outcomes.get("accepted", 0) != db["submitted"]:
        errors.append(
            f"{rush.outcomes.get('accepted', 0)} sales answered but {db['submitted']} submitted"
        )
    return errors


def report(
    args: argparse.Namespace,
    rush: Rush,
    db: dict[str, int],
    baseline: tuple[int, float, list[float]],
) -> None:
    count, elapsed, latencies = baseline
    baseline_rps = count / elapsed
    p50, p95, p99 = (percentile(rush.latencies, f) for f in (0.50, 0.95, 0.99))
    ms = 1000
    print(
        f"\n== Rush: {args.students} students, {args.units} units of one product, "
        f"{args.concurrency} client connections =="
    )
    print(f"  answers            {dict(rush.outcomes)}")
    print(
        f"  accepted/s         {rush.accepted_per_s:8.1f}   ({min(args.units, db['submitted'])} "
        f"sold {rush.accepted_window:.2f} s after the first request)"
    )
    print(
        f"  requests/s         {rush.requests_per_s:8.1f}   ({len(rush.results)} in "
        f"{rush.seconds:.2f} s)"
    )
    print(f"  latency p50        {p50 * ms:8.1f} ms")
    print(f"  latency p95        {p95 * ms:8.1f} ms")
    print(f"  latency p99        {p99 * ms:8.1f} ms   (max {max(rush.latencies) * ms:.1f} ms)")
    for kind in ("accepted", "sold out"):
        of_kind = [r.latency for st, r in rush.results if outcome(r, st) == kind]
        if of_kind:
            print(
                f"    {kind + ':':<16} p50 {percentile(of_kind, 0.5) * ms:.0f} ms, "
                f"p99 {percentile(of_kind, 0.99) * ms:.0f} ms"
            )
    print(f"  oversold           {db['oversold']:8d}")
    print(
        f"  database           units taken {db['units_taken']}, submitted {db['submitted']}, "
        f"contract numbers {db['contract_numbers']} ({db['distinct_contract_numbers']} "
        f"distinct), drafts left {db['still_draft']}"
    )
    capacity = CORES * rush.seconds
    print(
        "  CPU seconds        "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in rush.cpu.items())
        + f" ({CORES} cores x {rush.seconds:.1f} s = {capacity:.1f})"
    )
    n = len(rush.results)
    ours = rush.cpu["app server"] + rush.cpu["PostgreSQL"] + rush.cpu["load client"]
    app, pg, client = (rush.cpu[k] / n * ms for k in ("app server", "PostgreSQL", "load client"))
    print(
        f"  CPU per request    {ours / n * ms:8.1f} ms   (app {app:.1f}, PostgreSQL {pg:.1f}, "
        f"client {client:.1f}): at most {CORES * n / ours:.0f} requests/s on {CORES} cores"
    )
    print(f"\n== Baseline: GET {BASELINE_PATH}, same server, {args.concurrency} connections ==")
    b50, b99 = percentile(latencies, 0.5) * ms, percentile(latencies, 0.99) * ms
    print(
        f"  requests/s         {baseline_rps:8.1f}   ({count} in {elapsed:.2f} s; "
        f"p50 {b50:.1f} ms, p99 {b99:.1f} ms)"
    )
    print(f"  ratio rush requests/s / baseline   {rush.requests_per_s / baseline_rps:.3f}")
    print(f"  ratio accepted/s / baseline        {rush.accepted_per_s / baseline_rps:.3f}")
    print()
    verdicts = [
        (
            f"accepted/s >= {TARGET_ACCEPTED_PER_S:.0f}",
            rush.accepted_per_s >= TARGET_ACCEPTED_PER_S,
        ),
        (f"p99 < {TARGET_P99_S:.0f} s", p99 < TARGET_P99_S),
        ("0 oversold", db["oversold"] == 0),
    ]
    for name, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    stolen = rush.cpu["other processes"] / capacity
    if stolen > SHARED_MACHINE:
        print(
            f"\nwarning: other processes used {stolen:.0%} of the machine during the rush: "
            "these numbers are low; run again on a quiet machine."
        )


def measure(args: argparse.Namespace, *, port: int, server_pid: int, setup: Setup) -> int:
    errors: list[str] = []
    # Warm-up: every worker loads its views and templates; a form without consent sells nothing.
    hammer(port=port, host=HOST, path=BASELINE_PATH, concurrency=args.concurrency, seconds=1)
    warm = post_all(
        port=port,
        students=setup.students[: args.concurrency * 2],
        concurrency=args.concurrency,
        accept=False,
    )
    warm_statuses = Counter(response.status for _, response in warm)
    if set(warm_statuses) != {200}:
        errors.append(f"warm-up (consent missing) answered {dict(warm_statuses)}, expected 200s")
    if verify(setup, units=args.units)["units_taken"] != 0:
        raise BenchError("the warm-up sold units: the form accepted a submission without consent")

    busy = wait_until_quiet(threshold=SHARED_MACHINE, patience=args.quiet_wait)
    print(f"machine busy before the measures: {busy:.0%}")

    # 1. baseline
    count, elapsed, latencies, others = hammer(
        port=port,
        host=HOST,
        path=BASELINE_PATH,
        concurrency=args.concurrency,
        seconds=args.baseline_seconds,
    )
    if others:
        errors.append(f"baseline: {others} answers other than 200")

    # 2. the rush
    spy = contextlib.nullcontext()
    if args.profile:
        spy = sampled(server_pid, output=args.profile, seconds=120)
    with spy:
        cpu_before = cpu_snapshot(server_pid, args.database)
        results = post_all(port=port, students=setup.students, concurrency=args.concurrency)
        cpu = cpu_delta(cpu_before, cpu_snapshot(server_pid, args.database))

    # 3. the database
    db = verify(setup, units=args.units)
    rush = rush_summary(results, units=args.units, cpu=cpu)
    report(args, rush, db, (count, elapsed, latencies))
    if args.csv:
        first = min(response.started for _, response in results)
        with args.csv.open("w") as out:
            out.write("student,started_s,latency_s,outcome\n")
            for student, response in sorted(results, key=lambda item: item[1].started):
                out.write(
                    f"{student.email},{response.started - first:.4f},{response.latency:.4f},"
                    f"{outcome(response, student)}\n"
                )
    if args.profile:
        categories, functions = profile_summary(args.profile, prefix="parcauto/", top=25)
        print(f"\n== py-spy: where the workers' CPU went during the rush ({args.profile}) ==")
        for name, share in categories:
            print(f"  {share:5.1f}%  {name}")
        print("  our functions, time inside them (callees included):")
        for frame, share in functions:
            print(f"  {share:5.1f}%  {frame[:110]}")
    errors += check(rush, db, units=args.units, students=args.students)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=48, help="client connections")
    # Sync workers, one more than the cores: the fastest and fairest here (bench/README.md).
    parser.add_argument("--workers", type=int, default=CORES + 1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument("--baseline-seconds", type=float, default=4.0)
    parser.add_argument(
        "--quiet-wait", type=float, default=20.0, help="seconds to wait for a busy machine"
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=600, help="DB_CONN_MAX_AGE (0: settings' default)"
    )
    parser.add_argument("--cache", default="redis", choices=["redis", "db"])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="parcauto_bench")
    parser.add_argument(
        "--settings",
        default="parcauto.settings",
        help="settings module for the run",
    )
    parser.add_argument(
        "--app",
        default="parcauto.wsgi:application",
        help="WSGI application to serve (a variant under test, importable with PYTHONPATH)",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="every request of the rush")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="sample the workers with py-spy during the rush; collapsed stacks to FILE",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
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
