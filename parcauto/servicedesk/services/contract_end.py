"""The end of a contract its person cancelled: ENDING until its last day, then ENDED.

- `contract_end_schedule`: an active contract becomes ENDING, its `end_date` the last
  day agreed. Billing already reads `end_date`: the month of the last day is invoiced on
  its 1st prorated to that day (`billing.services.invoices`), nothing after it.
- `contract_end_withdraw`: while ENDING the person may change their mind; the contract is
  active again with the end date it had.
- `contracts_end_due` (daily job): the day after the last day the contract is ENDED, its
  unit goes back to the quota and to the first person on the waiting list
  (`subscriptions.services.units`), and `contract_close` follows after commit.
- `contract_close` (task): the last period settled to the day through billing (the
  month's invoice if the run has not made it, charged to the card before it leaves;
  the unused days of paid periods credited, as the institution's billing policy says),
  then the means of payment ended (card out of the vault, pre-authorized debit and
  payroll authorization revoked: no later file takes them; the bank details stay for
  the 90 days of reimbursement claims, rule 31), then the e-mail with the final account.

Passes: each transition queues the contract's access sync in its transaction
(`subscriptions.access_refresh`): the pass shows the new last day while ENDING, and is
voided once ENDED. `subscriptions.tasks.end_due_subscriptions` (end of term) leaves
ENDING contracts to this job, which settles their final account.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.subscriptions.access_refresh import access_refresh_queue
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services.daily import each_institution
from parcauto.subscriptions.services.units import unit_give_back
from parcauto.tenants.models import Organization

from ..closing import close_contract
from ..errors import NotAllowed

Status = Subscription.Status


def _locked(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("organization", "product", "product__organization")
        .get(organization_id=subscription.organization_id, pk=subscription.pk)
    )


def contract_end_schedule(
    *, subscription: Subscription, last_day: dt.date, actor: User | None, now: dt.datetime
) -> Subscription:
    """ACTIVE -> ENDING, its last day `last_day` (call it inside the deciding transaction)."""
    contract = _locked(subscription)
    if contract.status != Status.ACTIVE:
        raise NotAllowed(_("Only an active subscription can be cancelled."))
    if last_day < contract.start_date or (
        contract.end_date is not None and last_day >= contract.end_date
    ):
        raise NotAllowed(_("This date is outside the subscription's term."))
    previous_end = contract.end_date
    contract.status = Status.ENDING
    contract.end_date = last_day
    contract.save(update_fields=["status", "end_date", "updated_at"])
    access_refresh_queue(contract)
    audit_log(
        action="subscription.ending",
        actor=actor,
        organization=contract.organization,
        target=contract,
        data={
            "end_date": last_day.isoformat(),
            "previous_end_date": previous_end.isoformat() if previous_end else None,
        },
    )
    return contract


def contract_end_withdraw(
    *, subscription: Subscription, end_date: dt.date | None, actor: User, now: dt.datetime
) -> Subscription:
    """ENDING -> ACTIVE again, with the end date it had (inside the caller's transaction)."""
    contract = _locked(subscription)
    if contract.status != Status.ENDING:
        raise NotAllowed(_("This subscription is no longer ending: it cannot be withdrawn."))
    contract.status = Status.ACTIVE
    contract.end_date = end_date
    contract.save(update_fields=["status", "end_date", "updated_at"])
    access_refresh_queue(contract)
    audit_log(
        action="subscription.ending_withdrawn",
        actor=actor,
        organization=contract.organization,
        target=contract,
        data={"end_date": end_date.isoformat() if end_date else None},
    )
    return contract


def contracts_end_due(*, now: dt.datetime) -> int:
    """Daily job: ENDING contracts whose last day has passed become ENDED."""
    return each_institution(_end_due, now=now)


def _end_due(*, organization: Organization, today: dt.date, now: dt.datetime) -> int:
    due = list(
        Subscription.objects.filter(
            organization=organization, status=Status.ENDING, end_date__lt=today
        ).values_list("pk", flat=True)
    )
    ended = 0
    for pk in due:
        with transaction.atomic():
            contract = (
                Subscription.objects.select_for_update(of=("self",))
                .select_related("product", "product__organization")
                .filter(organization=organization, pk=pk, status=Status.ENDING)
                .first()
            )
            if contract is None:  # another run got there first
                continue
            contract.status = Status.ENDED
            unit_give_back(subscription=contract, now=now)
            contract.save(update_fields=["status", "holds_unit", "updated_at"])
            access_refresh_queue(contract)
            assert contract.end_date is not None  # noqa: S101 - ENDING always has one
            audit_log(
                action="subscription.ended",
                actor=None,
                organization=organization,
                target=contract,
                data={"end_date": contract.end_date.isoformat()},
            )
            enqueue_with_transaction(
                close_contract, organization_id=organization.pk, subscription_id=contract.pk
            )
            ended += 1
    return ended
