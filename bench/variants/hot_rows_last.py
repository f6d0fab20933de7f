"""Proposal 1-2 of bench/README.md: `subscription_submit` touches the hot rows last.

Same guarantees as the service (one transaction, the conditional UPDATE decides, unique
contract numbers); the product row is held for 4 statements instead of 21:
`--app bench.variants.hot_rows_last:application` or `--variant bench.variants.hot_rows_last`.
"""

from __future__ import annotations

from parcauto.wsgi import application  # first: Django is set up before any model import

# isort: split
import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind, PermitProduct
from parcauto.catalog.selectors import on_sale_filter
from parcauto.catalog.services import product_unit_take
from parcauto.subscriptions import notifications
from parcauto.subscriptions.errors import (
    FieldErrors,
    ProductNotAvailable,
    SoldOut,
    TransitionNotAllowed,
)
from parcauto.subscriptions.models import Consent, Subscription
from parcauto.subscriptions.services import lifecycle
from parcauto.subscriptions.services.units import waitlist_offer_take
from parcauto.tenants.models import LegalText
from parcauto.tenants.selectors import legal_text_current

__all__ = ["application"]


def _next_contract_number() -> int:
    """One statement (the counter row stays locked until the commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_counter SET last_value = last_value + 1 WHERE name = %s "
            "RETURNING last_value",
            [lifecycle.CONTRACT_SEQUENCE],
        )
        row = cursor.fetchone()
    if row is None:  # the very first number
        return lifecycle.sequence_next(
            name=lifecycle.CONTRACT_SEQUENCE, start=lifecycle.FIRST_CONTRACT_NUMBER
        )
    return int(row[0])


def subscription_submit(
    *,
    subscription: Subscription,
    payment_method: str,
    accepted_payment_conditions: bool,
    accepted_charge_after_approval: bool,
    now: dt.datetime,
) -> Subscription:
    product, category = subscription.product, subscription.category
    if payment_method not in product.payment_methods_for(category):
        raise FieldErrors({"payment_method": _("Choose one of the payment methods offered.")})
    errors: dict[str, Any] = {}
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
            raise SoldOut  # no lock taken, nothing written: the UPDATE below still decides
        payment_text = legal_text_current(
            organization=request.organization, kind=LegalText.Kind.PAYMENT_CONDITIONS
        )
        consents: list[tuple[str, LegalText | None]] = [
            (Consent.Kind.PAYMENT_CONDITIONS, payment_text)
        ]
        if payment_method == PaymentMethodKind.PAYROLL:
            consents.append((Consent.Kind.PAYROLL_AUTHORIZATION, None))
        if needs_charge_notice:
            consents.append((Consent.Kind.CHARGED_AFTER_APPROVAL, None))
        Consent.objects.bulk_create(  # a refused try rolled back: none exists yet
            Consent(
                organization=request.organization,
                subscription=request,
                kind=kind,
                legal_text=text,
                accepted_at=now,
            )
            for kind, text in consents
        )
        request.payment_method = payment_method
        request.submitted_at = now
        if product.approval_required:
            request.status = Subscription.Status.SUBMITTED
        else:
            lifecycle._mark_approved(request, actor=None, now=now)
        # The hot rows, last: the unit, then the contract number; the commit follows.
        if not offered and not product_unit_take(product=request.product):
            raise SoldOut
        request.holds_unit = True
        request.contract_number = _next_contract_number()
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


lifecycle.subscription_submit = subscription_submit
