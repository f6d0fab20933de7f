"""From submission to the end of a contract: every change of status lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind, PermitProduct
from parcauto.catalog.selectors import on_sale_filter
from parcauto.catalog.services import product_unit_take
from parcauto.core.clock import local_today
from parcauto.core.sequences import sequence_next
from parcauto.tenants.models import LegalText
from parcauto.tenants.selectors import legal_text_current

from .. import notifications
from ..errors import FieldErrors, ProductNotAvailable, SoldOut, TransitionNotAllowed
from ..models import Consent, Subscription
from .units import unit_give_back, waitlist_offer_take

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTRACT_SEQUENCE = "contract_number"
FIRST_CONTRACT_NUMBER = 100_000_001


def _locked_pending(subscription: Subscription, *, refusal: StrOrPromise) -> Subscription:
    """The request, locked, if it still awaits approval; else `refusal` is the error."""
    request = Subscription.objects.select_for_update().get(
        organization=subscription.organization, pk=subscription.pk
    )
    if request.status != Subscription.Status.SUBMITTED:
        raise TransitionNotAllowed(refusal)
    return request


def _starts_now(subscription: Subscription, now: dt.datetime) -> bool:
    return subscription.start_date <= local_today(now)


def subscription_submit(
    *,
    subscription: Subscription,
    payment_method: str,
    accepted_payment_conditions: bool,
    accepted_charge_after_approval: bool,
    now: dt.datetime,
) -> Subscription:
    """ "Soumettre": a contract number, one unit of the quota, then approval (or not).

    Safe to call twice (a double click): the second call finds the request already
    submitted and returns it unchanged.
    """
    product, category = subscription.product, subscription.category
    if payment_method not in product.payment_methods_for(category):
        raise FieldErrors({"payment_method": _("Choose one of the payment methods offered.")})
    errors: dict[str, StrOrPromise] = {}
    if not accepted_payment_conditions:
        errors["accepted_payment_conditions"] = _("Accept the payment conditions to continue.")
    needs_charge_notice = product.approval_required and payment_method != PaymentMethodKind.PAYROLL
    if needs_charge_notice and not accepted_charge_after_approval:
        errors["accepted_charge_after_approval"] = _("Tick this box to confirm you understand.")
    if errors:
        raise FieldErrors(errors)

    with transaction.atomic():
        request = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("organization", "person", "product__organization")
            .get(organization=subscription.organization, pk=subscription.pk)
        )
        if request.status != Subscription.Status.DRAFT:
            return request
        if request.step != Subscription.Step.PAYMENT:
            raise TransitionNotAllowed(_("Review the summary before sending the request."))
        vehicles = list(request.vehicles.all())
        if not vehicles or any(vehicle.removed_at for vehicle in vehicles):
            raise TransitionNotAllowed(
                _("A vehicle of this request was removed: go back to the vehicles step.")
            )
        state = (
            PermitProduct.objects.filter(pk=product.pk)
            .filter(on_sale_filter(now))
            .values_list("quantity", "units_taken")
            .first()
        )
        if state is None:
            raise ProductNotAvailable
        offered = waitlist_offer_take(product=request.product, person=request.person, now=now)
        quantity, taken = state
        if not offered and quantity is not None and taken >= quantity:
            raise SoldOut  # a plain read, nothing locked: the UPDATE below still decides
        _record_payment_consents(
            request, payment_method=payment_method, charge_notice=needs_charge_notice, now=now
        )
        request.payment_method = payment_method
        request.submitted_at = now
        if product.approval_required:
            request.status = Subscription.Status.SUBMITTED
        else:
            _mark_approved(request, actor=None, now=now)
        # The contended rows come last, so their locks last only until the commit that
        # follows: one unit of the quota (the conditional UPDATE decides), then the number.
        if not offered and not product_unit_take(product=request.product):
            raise SoldOut
        request.holds_unit = True
        request.contract_number = sequence_next(name=CONTRACT_SEQUENCE, start=FIRST_CONTRACT_NUMBER)
        request.save(
            update_fields=[
                "holds_unit",
                "contract_number",
                "payment_method",
                "submitted_at",
                "status",
                "decided_at",
                "decided_by",
                "activated_at",
                "updated_at",
            ]
        )
        audit_log(
            action="subscription.submitted",
            actor=request.person,
            organization=request.organization,
            target=request,
            data={
                "contract_number": request.contract_number,
                "payment_method": payment_method,
                "status": request.status,
            },
        )
        notifications.on_submitted(request)
    return request


def _record_payment_consents(
    request: Subscription, *, payment_method: str, charge_notice: bool, now: dt.datetime
) -> None:
    payment_text = legal_text_current(
        organization=request.organization, kind=LegalText.Kind.PAYMENT_CONDITIONS
    )
    consents: list[tuple[str, LegalText | None]] = [(Consent.Kind.PAYMENT_CONDITIONS, payment_text)]
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
            legal_text=text,
            accepted_at=now,
        )
        for kind, text in consents
    )


def _mark_approved(request: Subscription, *, actor: User | None, now: dt.datetime) -> None:
    request.decided_at = now
    request.decided_by = actor
    if _starts_now(request, now):
        request.status = Subscription.Status.ACTIVE
        request.activated_at = now
    else:
        request.status = Subscription.Status.APPROVED


def subscription_approve(
    *, subscription: Subscription, actor: User, now: dt.datetime
) -> Subscription:
    """ "Actif", or "En attente jusqu'au <date>" when it starts later; e-mail with the contract."""
    with transaction.atomic():
        request = _locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be approved.")
        )
        _mark_approved(request, actor=actor, now=now)
        request.save()
        audit_log(
            action="subscription.approved",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"status": request.status},
        )
        notifications.on_approved(request)
    return request


def subscription_approve_many(
    *, subscriptions: Iterable[Subscription], actor: User, now: dt.datetime
) -> list[Subscription]:
    """Bulk approval: each request in its own transaction, those no longer pending skipped."""
    approved = []
    for subscription in subscriptions:
        try:
            approved.append(subscription_approve(subscription=subscription, actor=actor, now=now))
        except TransitionNotAllowed:
            continue
    return approved


def subscription_refuse(
    *, subscription: Subscription, actor: User, reason: str, now: dt.datetime
) -> Subscription:
    """Refused with a reason: nothing is charged and the unit goes back on sale."""
    reason = reason.strip()
    if not reason:
        raise FieldErrors({"reason": _("Give the reason: the person receives it by e-mail.")})
    with transaction.atomic():
        request = _locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be refused.")
        )
        request.status = Subscription.Status.REFUSED
        request.decided_at = now
        request.decided_by = actor
        request.refusal_reason = reason
        unit_give_back(subscription=request, now=now)
        request.save()
        audit_log(
            action="subscription.refused",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"reason": reason},
        )
        notifications.on_refused(request)
    return request


def subscription_cancel_pending(
    *, subscription: Subscription, actor: User, now: dt.datetime
) -> Subscription:
    """ "Annuler cette demande de service": the person withdraws a request still pending."""
    with transaction.atomic():
        request = _locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be withdrawn.")
        )
        request.status = Subscription.Status.CANCELLED
        request.cancelled_at = now
        unit_give_back(subscription=request, now=now)
        request.save()
        audit_log(
            action="subscription.cancelled",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"by": "person"},
        )
        notifications.on_cancelled(request)
    return request


def subscriptions_activate_due(*, now: dt.datetime) -> int:
    """Daily job: approved contracts whose start date has come become active."""
    today = local_today(now)
    with scopes_disabled():  # a job for every institution; each row keeps its own
        due = list(
            Subscription.objects.filter(
                status=Subscription.Status.APPROVED, start_date__lte=today
            ).values_list("organization_id", "pk")
        )
    activated = 0
    for organization_id, pk in due:
        with transaction.atomic(), scopes_disabled():
            request = (
                Subscription.objects.select_for_update()
                .filter(organization_id=organization_id, pk=pk, status=Subscription.Status.APPROVED)
                .first()
            )
            if request is None:  # another run got there first
                continue
            request.status = Subscription.Status.ACTIVE
            request.activated_at = now
            request.save(update_fields=["status", "activated_at", "updated_at"])
            audit_log(
                action="subscription.activated",
                actor=None,
                organization=request.organization,
                target=request,
            )
            activated += 1
    return activated
