"""Payroll deduction (rule 34): the employee's written, revocable authorization.

The deductions themselves go to the employer in one file per pay period
(`billing.services.collect_payroll`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.catalog.models import PaymentMethodKind
from parcauto.subscriptions.errors import FieldErrors
from parcauto.subscriptions.models import Subscription

from ..models import PaymentMethod
from .pad import PadError, current_methods_retire, method_revoke

# Letters (accents too), digits and inner dashes: what employers' numbers look like.
_EMPLOYEE_NUMBER = re.compile(r"\w+(?:-\w+)*")
_EMPLOYEE_NUMBER_MAX = 30


def payroll_method_record(
    *, subscription: Subscription, employee_number: str, authorized: bool, now: dt.datetime
) -> PaymentMethod:
    """Record the authorization to deduct from pay, with its time, for this contract.

    The employer matches a deduction by employee number, so one is always needed here,
    even if the category does not ask for it elsewhere; the person's own, from the
    details step, is the default. Call it inside the caller's transaction.
    """
    if PaymentMethodKind.PAYROLL not in subscription.product.payment_methods_for(
        subscription.category
    ):
        raise FieldErrors({"payment_method": _("Choose one of the payment methods offered.")})
    number = employee_number.strip() or subscription.employee_number
    errors = {}
    if not number:
        errors["employee_number"] = _("Enter your employee number: your employer needs it.")
    elif len(number) > _EMPLOYEE_NUMBER_MAX or not _EMPLOYEE_NUMBER.fullmatch(number):
        errors["employee_number"] = _(
            "An employee number has at most 30 letters, digits or dashes."
        )
    if not authorized:
        errors["authorized"] = _("Authorize the deduction from your pay to continue.")
    if errors:
        raise FieldErrors(errors)
    current_methods_retire(subscription, now=now)
    return PaymentMethod.objects.create(
        organization=subscription.organization,
        subscription=subscription,
        person=subscription.person,
        kind=PaymentMethodKind.PAYROLL,
        status=PaymentMethod.Status.ACTIVE,
        employee_number=number,
        payroll_authorized_at=now,
    )


def payroll_authorization_revoke(
    *, payment_method: PaymentMethod, actor: User | None, now: dt.datetime
) -> PaymentMethod:
    """Withdraw the authorization (any time, rule 34): no deduction from the next file on.

    Deductions already sent to the employer stay as they are; the contract must then be
    paid another way. A second call changes nothing.
    """
    if payment_method.kind != PaymentMethodKind.PAYROLL:
        raise PadError(_("This payment method is not a payroll deduction."))
    return method_revoke(payment_method, actor=actor, now=now)
