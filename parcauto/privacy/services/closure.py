"""Closing an account (Law 25, s. 28.1: erasure once the purpose is met).

Refused while something still needs the person: a contract or a request in force, money
owed either way, a staff role. Otherwise the account stops at once (no sign-in, every
session ended), the confirmation is queued to the address still on file, and a task
erases the personal data once that message has left (`erasure.account_erase`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.services import audit_log
from parcauto.billing.selectors import balance_for
from parcauto.core.money import format_money_active
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.notifications.services import email_send_template
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each

from ..errors import ClosureRefused
from ..models import AccountClosure
from .background import erase_closed_account

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACCOUNT_CLOSED = "privacy_account_closed"  # the confirmation's templates
_ZERO = Decimal("0.00")


def closure_refusals(*, person: User) -> list[StrOrPromise]:
    """What stands in the way of closing the account, one sentence each (none: it may)."""
    reasons: list[StrOrPromise] = []
    if StaffRole.objects.filter(user=person).exists() or person.is_staff or person.is_superuser:
        reasons.append(_("A staff account is closed by the operator: ask your administrator."))
    for organization in institutions_each():
        with scope(organization=organization):
            reasons += _contract_refusals(person, organization)
    return reasons


def _contract_refusals(person: User, organization: Organization) -> list[StrOrPromise]:
    reasons: list[StrOrPromise] = []
    contracts = (
        Subscription.objects.filter(organization=organization, person=person)
        .exclude(status=Subscription.Status.DRAFT)
        .select_related("product")
        .order_by("contract_number")
    )
    for contract in contracts:
        where = {
            "number": contract.contract_number,
            "product": contract.product.name_fr,
            "institution": organization.name,
        }
        if contract.status == Subscription.Status.SUBMITTED:
            reasons.append(
                _(
                    "Your request no. %(number)s (%(product)s, %(institution)s) is awaiting "
                    "approval: withdraw it first."
                )
                % where
            )
        elif contract.status in Subscription.LIVE_STATUSES:
            reasons.append(
                _(
                    "Your contract no. %(number)s (%(product)s, %(institution)s) is still in "
                    "force: it must end first."
                )
                % where
            )
        balance = balance_for(subscription=contract)
        if balance > _ZERO:
            reasons.append(
                _("%(amount)s is owed on contract no. %(number)s (%(institution)s).")
                % {**where, "amount": format_money_active(balance)}
            )
        elif balance < _ZERO:
            reasons.append(
                _(
                    "A refund of %(amount)s on contract no. %(number)s (%(institution)s) is "
                    "still to be paid to you."
                )
                % {**where, "amount": format_money_active(-balance)}
            )
    return reasons


def account_close(*, person: User, organization: Organization, now: dt.datetime) -> AccountClosure:
    """Close the account, or raise ClosureRefused (changing nothing) with every reason.

    The password is unusable from now on, which ends every session (Django checks a
    session against it) and every future sign-in; the erasure follows in a task.
    """
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        existing = AccountClosure.objects.filter(person=person).first()
        if existing is not None:
            return existing
        reasons = closure_refusals(person=person)
        if reasons:
            raise ClosureRefused(reasons)
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["is_active", "password"])
        email = email_send_template(
            template=ACCOUNT_CLOSED,
            to=person.email,
            context={"person": person, "organization": organization, "closed_at": now},
            language=person.language,
            organization=None,  # the person's own business, not an institution's
            dedupe_key=f"{ACCOUNT_CLOSED}:{person.pk}",
        )
        closure = AccountClosure.objects.create(
            person=person, organization=organization, requested_at=now, confirmation_email=email
        )
        audit_log(action="privacy.account_closed", actor=person, target=person)
        enqueue_with_transaction(erase_closed_account, closure_id=closure.pk)
    return closure
