"""The daily billing run: every institution, every contract, streamed in chunks.

1. settle   - attempts an earlier run left SENT (killed, timed out) are settled by asking
              the gateway about their order id; one it never had is sent again, same id.
              Card refunds left SENT likewise. Debits the bank has not returned after
              the originator's delay, and deductions of pay periods that have ended, are
              paid (before steps 4 and 5 look for what is unpaid).
2. invoice  - the month's invoice of every monthly contract that lacks it (bulk insert,
              ON CONFLICT DO NOTHING on the unique constraint: a second run creates 0).
3. charge   - due card invoices and failed ones whose retry date has come, a chunk at a
              time: SENT attempts committed in one insert, then `purchase_many` outside
              any transaction, then the answers recorded.
4. interest - late interest (rule 7) on what stayed unpaid for a whole month.
5. overdue  - access suspended, then the contract cancelled, after the policy's delays.
6. files    - the pre-authorized debit (CPA-005) and payroll files of each institution.

A run is one part per institution (`BillingRunPart`), each going through the six steps
in its own tenant scope: the run spans the institutions, its queries never do. The daily
task queues the parts, so the task workers share them; `manage.py run_billing` does them
one after another. Counts are added to the BillingRun row after every chunk.

Killed at any point, a part (or the whole run) is simply started again: step 1 finishes
what was in flight and the unique constraints and attempt states make every other step
skip what was done.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django_scopes import scope

from parcauto.catalog.models import PaymentMethodKind
from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import Charge, Gateway
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

from ..bulk import rows_insert
from ..models import BillingRun, BillingRunPart, Invoice, Refund
from ..selectors import contracts_to_invoice
from .collect import Sent, Tally, charges_send, is_first_invoice, order_id_for, sent_settle
from .collect_pad import pad_settle_unreturned
from .collect_payroll import payroll_settle_sent
from .invoices import (
    BILLED_STATUSES,
    invoices_create_due,
)
from .refunds import refund_send
from .run_late import counts_add, files_step, interest_step, overdue_step

logger = logging.getLogger(__name__)


def billing_run(
    *, run_date: dt.date, now: dt.datetime, gateway: Gateway | None = None, chunk_size: int = 2000
) -> BillingRun:
    """The whole run in this process, one institution after another (`manage.py
    run_billing`). The daily task spreads the same parts over the task workers instead
    (`billing_run_open`, then `billing_run_part` per institution, `billing.tasks`)."""
    run = billing_run_open(run_date=run_date, now=now)
    for organization in institutions_each(Organization.objects.filter(billing_run_parts__run=run)):
        billing_run_part(
            run=run, organization=organization, now=now, gateway=gateway, chunk_size=chunk_size
        )
    if not run.parts.exists():
        _finish_if_done(run, now=now)
    run.refresh_from_db()
    return run


def billing_run_open(*, run_date: dt.date, now: dt.datetime) -> BillingRun:
    """A new run, with one part to do per institution (active or not: what was sent is
    settled, what is owed is collected). Call it in the transaction that queues the parts."""
    with transaction.atomic():
        run = BillingRun.objects.create(run_date=run_date, started_at=now)
        BillingRunPart.objects.bulk_create(
            BillingRunPart(run=run, organization=organization)
            for organization in institutions_each()
        )
    return run


def billing_run_part(
    *,
    run: BillingRun,
    organization: Organization,
    now: dt.datetime,
    gateway: Gateway | None = None,
    chunk_size: int = 2000,
) -> bool:
    """Every step of the run for one institution, in its scope; False if already done.

    Started again after a crash (a worker killed mid-part), it goes through the steps
    again: step 1 settles what was in flight, and the unique constraints and attempt
    states make every other step skip what was done.
    """
    part = BillingRunPart.objects.get(run=run, organization=organization)
    if part.finished_at is not None:
        return False
    gateway = gateway or get_gateway()
    phases: dict[str, Callable[[], None]] = {
        "settle": lambda: _settle(
            run,
            organization,
            run_date=run.run_date,
            gateway=gateway,
            now=now,
            chunk_size=chunk_size,
        ),
        "invoice": lambda: _invoice(
            run, organization, run_date=run.run_date, now=now, chunk_size=chunk_size
        ),
        "charge": lambda: _charge(
            run,
            organization,
            run_date=run.run_date,
            gateway=gateway,
            now=now,
            chunk_size=chunk_size,
        ),
        "interest": lambda: interest_step(run, organization, run_date=run.run_date),
        "overdue": lambda: overdue_step(run, organization, run_date=run.run_date, now=now),
        "files": lambda: files_step(run, organization, run_date=run.run_date, now=now),
    }
    try:
        with scope(organization=organization):
            for phase, step in phases.items():
                BillingRun.objects.filter(pk=run.pk).update(phase=phase, updated_at=now)
                step()
    except Exception as error:
        BillingRun.objects.filter(pk=run.pk).update(
            status=BillingRun.Status.FAILED,
            error=f"{organization.slug}: {type(error).__name__}: {error}"[:2000],
            finished_at=now,
            updated_at=now,
        )
        raise
    # Once, however many times the part was started (a conditional UPDATE).
    if BillingRunPart.objects.filter(pk=part.pk, finished_at__isnull=True).update(
        finished_at=now, updated_at=now
    ):
        _finish_if_done(run, now=now)
    return True


def _finish_if_done(run: BillingRun, *, now: dt.datetime) -> None:
    """The run is finished when its last part is (checked after that part's commit, so
    of two parts ending together at least the later one sees both)."""
    if not BillingRunPart.objects.filter(run=run, finished_at__isnull=True).exists():
        BillingRun.objects.filter(pk=run.pk, status=BillingRun.Status.RUNNING).update(
            status=BillingRun.Status.FINISHED, phase="", finished_at=now, updated_at=now
        )


def _count(run: BillingRun, tally: Tally) -> None:
    counts_add(run, charges_approved=tally.approved, charges_declined=tally.declined)


def _keyset(
    query: Any, fields: tuple[str, ...], chunk_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of `query` (which must order by id, selected first) a chunk at a time."""
    last_id = 0
    while True:
        rows = list(query.filter(id__gt=last_id).values_list(*fields)[:chunk_size])
        if not rows:
            return
        last_id = rows[-1][0]
        yield rows


# --- 1. settle --------------------------------------------------------------------------


def _settle(
    run: BillingRun,
    organization: Organization,
    *,
    run_date: dt.date,
    gateway: Gateway,
    now: dt.datetime,
    chunk_size: int,
) -> None:
    sent = PaymentAttempt.objects.filter(
        organization=organization,
        kind=PaymentAttempt.Kind.PURCHASE,
        status=PaymentAttempt.Status.SENT,
    ).order_by("id")
    for rows in _keyset(sent, ("id",), chunk_size):
        attempts = PaymentAttempt.objects.filter(id__in=[row[0] for row in rows]).select_related(
            "payment_method", "invoice"
        )
        items = [
            Sent(
                attempt,
                Charge(
                    order_id=attempt.order_id,
                    data_key=attempt.payment_method.data_key,
                    amount=attempt.amount,
                    issuer_id=attempt.payment_method.issuer_id,
                    recurring=not is_first_invoice(attempt.invoice),
                ),
            )
            for attempt in attempts
        ]
        _count(run, sent_settle(sent=items, gateway=gateway, now=now))
    refunds = Refund.objects.filter(
        organization=organization,
        attempt__status=PaymentAttempt.Status.SENT,
        status=Refund.Status.PENDING,
    ).select_related("attempt", "invoice__organization", "created_by")
    for refund in refunds.iterator(chunk_size=chunk_size):
        refund_send(refund=refund, now=now, gateway=gateway)
    _settle_files(run, organization, run_date=run_date, now=now)


def _settle_files(
    run: BillingRun, organization: Organization, *, run_date: dt.date, now: dt.datetime
) -> None:
    """Debits and deductions sent in files: paid once their delay has passed, counted as
    approved charges. Only SENT attempts are settled, so a second run settles none again."""
    waiting = PaymentAttempt.objects.filter(
        organization=organization,
        kind__in=(PaymentAttempt.Kind.PAD_DEBIT, PaymentAttempt.Kind.PAYROLL),
        status=PaymentAttempt.Status.SENT,
    )
    if not waiting.exists():
        return
    settled = pad_settle_unreturned(
        organization=organization, as_of=run_date, now=now
    ) + payroll_settle_sent(organization=organization, as_of=run_date, now=now)
    if settled:
        counts_add(run, charges_approved=settled)


# --- 2. invoice -------------------------------------------------------------------------


def _invoice(
    run: BillingRun,
    organization: Organization,
    *,
    run_date: dt.date,
    now: dt.datetime,
    chunk_size: int,
) -> None:
    for contracts in contracts_to_invoice(
        organization=organization, run_date=run_date, chunk_size=chunk_size
    ):
        created = invoices_create_due(run_date=run_date, contracts=contracts, now=now)
        counts_add(run, contracts_seen=len(contracts), invoices_created=created)


# --- 3. charge --------------------------------------------------------------------------


def _chargeable(organization: Organization, run_date: dt.date) -> Any:
    """Card invoices due, or failed with a retry date that has come, by id.

    Kept to the invoice table on purpose: a join or a correlated subquery per row makes
    the planner, working from statistics older than the rows this run just wrote, scan
    far more than a chunk (a correlated "is there an earlier invoice" took the
    institution's index and read every one of its invoices per row: the second month's
    run of 20,000 contracts took 4x the first). What needs other rows is checked per
    chunk (`_chargeable_rows`).
    """
    return Invoice.objects.filter(
        Q(status=Invoice.Status.DUE, due_date__lte=run_date)
        | Q(status=Invoice.Status.FAILED, next_attempt_on__lte=run_date),
        organization=organization,
        payment_method=PaymentMethodKind.CARD,
    ).order_by("id")


def _chargeable_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Those of a chunk whose contract is billed and that no attempt is charging now: their
    first seven fields, and whether each is its contract's first charge (one query for the
    chunk: the earliest charge invoice of each of its contracts)."""
    in_flight = set(
        PaymentAttempt.objects.filter(
            invoice_id__in=[row[0] for row in rows], status=PaymentAttempt.Status.SENT
        ).values_list("invoice_id", flat=True)
    )
    contracts = {row[6] for row in rows}
    billed = set(
        Subscription.objects.filter(id__in=contracts, status__in=BILLED_STATUSES).values_list(
            "id", flat=True
        )
    )
    earliest = dict(
        Invoice.objects.filter(subscription_id__in=contracts, kind=Invoice.Kind.CHARGE)
        .values("subscription_id")
        .annotate(first=Min("period_start"))
        .values_list("subscription_id", "first")
    )
    return [
        (*row[:7], row[8] == Invoice.Kind.CHARGE and row[7] <= earliest.get(row[6], row[7]))
        for row in rows
        if row[0] not in in_flight and row[6] in billed
    ]


_CHUNK_FIELDS = (
    "id",
    "organization_id",
    "number",
    "amount",
    "amount_paid",
    "failed_attempts",
    "subscription_id",
    "period_start",
    "kind",
)


def _charge(
    run: BillingRun,
    organization: Organization,
    *,
    run_date: dt.date,
    gateway: Gateway,
    now: dt.datetime,
    chunk_size: int,
) -> None:
    for rows in _keyset(_chargeable(organization, run_date), _CHUNK_FIELDS, chunk_size):
        sent = _attempts_commit(_chargeable_rows(rows), now=now)
        _count(run, charges_send(sent=sent, gateway=gateway, now=now))


_ATTEMPT_FIELDS = (
    "created_at",
    "updated_at",
    "organization_id",
    "order_id",
    "kind",
    "invoice_id",
    "payment_method_id",
    "amount",
    "status",
)


def _attempts_commit(rows: list[tuple[Any, ...]], *, now: dt.datetime) -> list[Sent]:
    """One SENT attempt per invoice with a card on file, committed in one insert."""
    cards = {
        subscription_id: (method_id, data_key, issuer_id)
        for subscription_id, method_id, data_key, issuer_id in PaymentMethod.objects.filter(
            subscription_id__in=[row[6] for row in rows],
            kind=PaymentMethodKind.CARD,
            status=PaymentMethod.Status.ACTIVE,
        ).values_list("subscription_id", "id", "data_key", "issuer_id")
    }
    sent: list[Sent] = []
    for invoice_id, organization_id, number, amount, paid, failures, subscription_id, first in rows:
        card = cards.get(subscription_id)
        if card is None:  # a card still being verified: the approval task charges it
            continue
        method_id, data_key, issuer_id = card
        attempt = PaymentAttempt(
            organization_id=organization_id,
            order_id=order_id_for(invoice_number=number, attempt=failures + 1),
            kind=PaymentAttempt.Kind.PURCHASE,
            invoice_id=invoice_id,
            payment_method_id=method_id,
            amount=amount - paid,
        )
        charge = Charge(
            order_id=attempt.order_id,
            data_key=data_key,
            amount=attempt.amount,
            issuer_id=issuer_id,
            recurring=not first,
        )
        sent.append(Sent(attempt, charge))
    try:
        rows_insert(
            PaymentAttempt,
            _ATTEMPT_FIELDS,
            [
                (now, now, *(getattr(item.attempt, name) for name in _ATTEMPT_FIELDS[2:]))
                for item in sent
            ],
        )
    except IntegrityError:
        # Another collector (the approval task) committed an attempt for one of these
        # invoices since they were read: leave the chunk to it; the next run sees the rest.
        logger.warning("billing run: %d charges left to another collector", len(sent))
        return []
    return sent
