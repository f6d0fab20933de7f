"""The contract's side of "Soumettre": what it decides on, and the conditional writes.

`sales.services.subscription_submit` runs the whole submission (the means of payment is
payments', the first charge billing's) and calls these for the contract itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.catalog.models import PaymentMethodKind, PermitProduct
from parcauto.core.clock import local_today
from parcauto.tenants.models import LegalText
from parcauto.vehicles.models import Vehicle

from ..errors import ProductNotAvailable, SoldOut, TransitionNotAllowed
from ..models import Consent, Subscription, WaitingListEntry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTRACT_SEQUENCE = "contract_number"
FIRST_CONTRACT_NUMBER = 100_000_001


def locked_pending(subscription: Subscription, *, refusal: StrOrPromise) -> Subscription:
    """The request, locked, if it still awaits approval; else `refusal` is the error."""
    request = Subscription.objects.select_for_update().get(
        organization=subscription.organization, pk=subscription.pk
    )
    if request.status != Subscription.Status.SUBMITTED:
        raise TransitionNotAllowed(refusal)
    return request


def starts_now(subscription: Subscription, now: dt.datetime) -> bool:
    return subscription.start_date <= local_today(now)


@dataclass(frozen=True)
class SubmissionFacts:
    """What "Soumettre" decides on besides the caller's copy, read in one statement."""

    status: str
    step: str
    product_id: int
    has_vehicle: bool
    vehicle_removed: bool
    offer: bool  # a live waiting-list offer of the product to the person
    payment_text_id: int | None  # the payment conditions in force


def submission_refusals(draft: Subscription, facts: SubmissionFacts, now: dt.datetime) -> None:
    """Raise why this draft cannot be sent now, if it cannot."""
    if facts.step != Subscription.Step.PAYMENT or facts.product_id != draft.product_id:
        raise TransitionNotAllowed(_("Review the summary before sending the request."))
    if not facts.has_vehicle or facts.vehicle_removed:
        raise TransitionNotAllowed(
            _("A vehicle of this request was removed: go back to the vehicles step.")
        )
    product = draft.product
    if not product.is_on_sale(now):
        raise ProductNotAvailable
    if not facts.offer and product.quantity is not None and product.units_taken >= product.quantity:
        raise SoldOut  # the unit's UPDATE would refuse too: spare the losers the writes


class AlreadySent(Exception):
    """The draft was no longer a draft when its UPDATE ran: roll everything back."""


@cache
def _submission_facts_sql() -> str:
    # Hand-written: built with the ORM, these subqueries cost ~2.8 ms of CPU before the
    # database sees them, as much as the four reads they replace (bench/README.md).
    # Table and column names come from _meta.
    chosen = Subscription.vehicles.field
    return f"""
        SELECT s.status, s.step, s.product_id,
            EXISTS (SELECT 1 FROM {chosen.m2m_db_table()} c
                    WHERE c.{chosen.m2m_column_name()} = s.id),
            EXISTS (SELECT 1 FROM {chosen.m2m_db_table()} c
                    JOIN {Vehicle._meta.db_table} v ON v.id = c.{chosen.m2m_reverse_name()}
                    WHERE c.{chosen.m2m_column_name()} = s.id AND v.removed_at IS NOT NULL),
            EXISTS (SELECT 1 FROM {WaitingListEntry._meta.db_table} w
                    WHERE w.organization_id = s.organization_id AND w.product_id = s.product_id
                    AND w.person_id = s.person_id AND w.status = %s
                    AND w.offer_expires_at > %s),
            (SELECT t.id FROM {LegalText._meta.db_table} t
             WHERE t.organization_id = s.organization_id AND t.kind = %s
             ORDER BY t.version DESC LIMIT 1)
        FROM {Subscription._meta.db_table} s
        WHERE s.organization_id = %s AND s.id = %s
    """  # noqa: S608 - table and column names only; every value is a parameter


def submission_facts(request: Subscription, now: dt.datetime) -> SubmissionFacts:
    """Read without a lock: the writes that follow are conditional (the unit's UPDATE, the
    draft's UPDATE `WHERE status = draft`), so a stale read can only refuse early."""
    with connection.cursor() as cursor:
        cursor.execute(
            _submission_facts_sql(),
            [
                WaitingListEntry.Status.OFFERED,
                connection.ops.adapt_datetimefield_value(now),
                LegalText.Kind.PAYMENT_CONDITIONS,
                request.organization_id,
                request.pk,
            ],
        )
        row = cursor.fetchone()
    if row is None:  # "Annuler la demande" in another tab
        raise TransitionNotAllowed(_("This request no longer exists."))
    status, step, product_id, has_vehicle, removed, offer, text_id = row
    return SubmissionFacts(
        status, step, product_id, bool(has_vehicle), bool(removed), bool(offer), text_id
    )


# What "Soumettre" changes on the draft, in one conditional UPDATE.
_SENT_FIELDS = (
    "holds_unit",
    "contract_number",
    "payment_method",
    "submitted_at",
    "status",
    "decided_at",
    "decided_by_id",
    "activated_at",
    "updated_at",
)


def draft_send(request: Subscription) -> bool:
    """Write the sent request over its draft, if it is still the draft at the payment
    step for the same product: False when another click (or tab) changed it first.

    The UPDATE takes the row lock; a concurrent one waits for it, then finds the row no
    longer matching and changes nothing.
    """
    request.updated_at = timezone.now()  # as auto_now would
    return bool(
        Subscription.objects.filter(
            organization=request.organization,
            pk=request.pk,
            status=Subscription.Status.DRAFT,
            step=Subscription.Step.PAYMENT,
            product_id=request.product_id,
        ).update(**{name: getattr(request, name) for name in _SENT_FIELDS})
    )


def payment_consents_record(
    request: Subscription,
    *,
    payment_method: str,
    payment_text_id: int | None,
    charge_notice: bool,
    now: dt.datetime,
) -> None:
    consents: list[tuple[str, int | None]] = [(Consent.Kind.PAYMENT_CONDITIONS, payment_text_id)]
    if payment_method == PaymentMethodKind.PAYROLL:
        consents.append((Consent.Kind.PAYROLL_AUTHORIZATION, None))
    if charge_notice:
        consents.append((Consent.Kind.CHARGED_AFTER_APPROVAL, None))
    # One statement; a failed earlier try rolled back, so none of these exists yet.
    Consent.objects.bulk_create(
        Consent(
            organization=request.organization,
            subscription=request,
            kind=kind,
            legal_text_id=text_id,
            accepted_at=now,
        )
        for kind, text_id in consents
    )


def starts_on_approval(subscription: Subscription, today: dt.date) -> bool:
    """A pending monthly subscription whose chosen start has come starts the day it is
    approved (guide 002 shows "Début de l'abonnement: Jour de l'approbation"): nobody
    pays for days they could not park. A fixed-term or episodic permit keeps its dates."""
    return (
        subscription.status == Subscription.Status.SUBMITTED
        and subscription.product.kind == PermitProduct.Kind.MONTHLY
        and subscription.start_date <= today
    )


def mark_approved(request: Subscription, *, actor: User | None, now: dt.datetime) -> None:
    request.decided_at = now
    request.decided_by = actor
    today = local_today(now)
    if starts_on_approval(request, today):
        request.start_date = today
    if starts_now(request, now):
        request.status = Subscription.Status.ACTIVE
        request.activated_at = now
    else:
        request.status = Subscription.Status.APPROVED
