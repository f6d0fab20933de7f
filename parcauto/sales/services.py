"""From submission to the end of a contract: every change of status lives here.

Money moves only once the contract is approved (rule 8), and the card is *charged at
approval* rather than pre-authorized at submission:

- an approval can take days (the institution's staff decide), and a card
  pre-authorization hold expires after about 7 days: it would lapse before many
  decisions, and meanwhile block part of a student's credit limit for a permit that may
  be refused;
- the card is still checked at once: after the submission commits, `vault_card` stores
  it in the gateway's vault as a credential on file, which verifies it with the issuer
  (rule 22). A bad card is caught minutes after "Soumettre", not days later, and
  cancels the request as a declined first charge does (rule 54);
- at approval the first invoice is collected (`collect_first_invoice`); a product sold
  without approval is collected right after the submission. A declined first charge
  cancels the contract (rule 54, billing's task).

Refused or withdrawn requests forget the stored card and revoke a bank account or a
payroll authorization (rule 9).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.billing.services.collect_pad import pad_confirmation_send
from parcauto.billing.tasks import collect_first_invoice
from parcauto.catalog.models import PaymentMethodKind
from parcauto.catalog.services import product_unit_take
from parcauto.core.sequences import sequence_next
from parcauto.payments.models import PaymentMethod
from parcauto.payments.selectors import payment_method_current
from parcauto.payments.services import pad, payroll
from parcauto.payments.services.methods import (
    CardPayment,
    PadPayment,
    Payment,
    PayrollPayment,
    cheque_discard,
    pad_fields,
    payment_method_record,
)
from parcauto.payments.tasks import card_forget_after_commit
from parcauto.subscriptions import notifications
from parcauto.subscriptions.access_refresh import access_refresh_queue
from parcauto.subscriptions.errors import FieldErrors, SoldOut, TransitionNotAllowed
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services.submission import (
    CONTRACT_SEQUENCE,
    FIRST_CONTRACT_NUMBER,
    AlreadySent,
    draft_send,
    locked_pending,
    mark_approved,
    payment_consents_record,
    submission_facts,
    submission_refusals,
)
from parcauto.subscriptions.services.units import unit_give_back, waitlist_offer_take

from .tasks import submission_follow_up_queue

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The means of payment, as the payment step hands them over (payments' types).
__all__ = ["CardPayment", "PadPayment", "Payment", "PayrollPayment"]


def _collect_first_invoice_after_commit(request: Subscription) -> None:
    transaction.on_commit(
        partial(
            collect_first_invoice.enqueue,
            organization_id=request.organization_id,
            subscription_id=request.pk,
        )
    )


def _payment_method_end(request: Subscription, *, actor: User | None, now: dt.datetime) -> None:
    """Rule 9: a refused or withdrawn request keeps no means of payment.

    A card leaves the gateway's vault after commit, by a task (the gateway is never
    called inside a transaction, and a task is tried again if it is down); a bank
    account is revoked and its numbers and cheque destroyed here, a payroll
    authorization revoked, so no file ever takes them.
    """
    method = payment_method_current(subscription_id=request.pk)
    if method is None:
        return
    if method.kind == PaymentMethodKind.CARD:
        card_forget_after_commit(subscription=request)
    elif method.kind == PaymentMethodKind.PAD:
        pad.pad_agreement_revoke(payment_method=method, actor=actor, now=now)
        pad.pad_method_forget(payment_method=method, now=now)
    else:
        payroll.payroll_authorization_revoke(payment_method=method, actor=actor, now=now)


def subscription_submit(
    *,
    subscription: Subscription,
    payment_method: str,
    accepted_payment_conditions: bool,
    accepted_charge_after_approval: bool,
    now: dt.datetime,
    payment: Payment | None = None,
) -> Subscription:
    """ "Soumettre": a contract number, one unit of the quota, then approval (or not).

    `payment` is what the payment step gathered (card token, bank account, payroll
    authorization): recorded in the same transaction, so a request never exists without
    its means of payment nor the reverse. None records none (contracts made by staff
    or by tests of other steps); nothing is then collected automatically.

    `subscription` is the draft as the caller read it in this request, with its product:
    the sales window and the stock are checked on that copy, and the quota's conditional
    UPDATE decides. Nothing is locked before the writes (a lock read cost a round trip
    to every buyer of a rush): a second click, even at the same instant, loses to the
    first on the consents' unique constraint or on the draft's conditional UPDATE, rolls
    back whatever it wrote, and returns the request the first click sent.
    """
    product, category = subscription.product, subscription.category
    if payment_method not in product.payment_methods_for(category) or (
        payment is not None and payment.kind != payment_method
    ):
        raise FieldErrors({"payment_method": _("Choose one of the payment methods offered.")})
    errors: dict[str, StrOrPromise] = {}
    if not accepted_payment_conditions:
        errors["accepted_payment_conditions"] = _("Accept the payment conditions to continue.")
    needs_charge_notice = product.approval_required and payment_method != PaymentMethodKind.PAYROLL
    if needs_charge_notice and not accepted_charge_after_approval:
        errors["accepted_charge_after_approval"] = _("Tick this box to confirm you understand.")
    if isinstance(payment, CardPayment) and not payment.temporary_token:
        # The iframe gave no token: no script, or the card was never typed in.
        errors["card_token"] = _(
            "Your card could not be read. Type in the card number and the expiry date, "
            "then submit again."
        )
    pad_details: pad.PadDetails | None = None
    if isinstance(payment, PadPayment):
        # Checked before anything is written, so that the bank fields' errors show with
        # the consents' ones; kept as checked.
        try:
            pad_details = pad.pad_details_check(subscription=subscription, **pad_fields(payment))
        except FieldErrors as refused:
            errors.update(refused.errors)
    if errors:
        raise FieldErrors(errors)

    facts = submission_facts(subscription, now)
    if facts.status != Subscription.Status.DRAFT:  # a double click: it is already sent
        return Subscription.objects.get(organization=subscription.organization, pk=subscription.pk)
    submission_refusals(subscription, facts, now)
    request = copy.copy(subscription)  # the caller's object keeps what it read
    method: PaymentMethod | None = None
    try:
        with transaction.atomic():
            offered = facts.offer and waitlist_offer_take(
                product=request.product, person=request.person, now=now
            )
            payment_consents_record(
                request,
                payment_method=payment_method,
                payment_text_id=facts.payment_text_id,
                charge_notice=needs_charge_notice,
                now=now,
            )
            method = payment_method_record(request, payment, pad_details, now) if payment else None
            request.payment_method = payment_method
            request.submitted_at = now
            if product.approval_required:
                request.status = Subscription.Status.SUBMITTED
            else:
                mark_approved(request, actor=None, now=now)
            submission_follow_up_queue(request, method)  # before the hot rows are locked
            # The contended rows come last, so their locks last only until the commit that
            # follows: one unit of the quota (the conditional UPDATE decides), then the number.
            if not offered and not product_unit_take(product=request.product):
                raise SoldOut
            request.holds_unit = True
            request.contract_number = sequence_next(
                name=CONTRACT_SEQUENCE, start=FIRST_CONTRACT_NUMBER
            )
            if not draft_send(request):
                raise AlreadySent
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
    except (AlreadySent, IntegrityError) as lost:
        # Another click sent it after our read: its consents (one of each kind per
        # request) or the draft's conditional UPDATE stopped this one, and everything of
        # this one (unit, number, consents, payment method) rolled back.
        cheque_discard(method)
        sent = Subscription.objects.get(organization=subscription.organization, pk=subscription.pk)
        if sent.status != Subscription.Status.DRAFT:
            return sent
        if isinstance(lost, IntegrityError):
            raise  # not a second click: a fault to hear of
        raise TransitionNotAllowed(_("Review the summary before sending the request.")) from None
    except BaseException:
        cheque_discard(method)
        raise
    return request


def subscription_approve(
    *, subscription: Subscription, actor: User, now: dt.datetime
) -> Subscription:
    """ "Actif", or "En attente jusqu'au <date>" when it starts later; e-mail with the contract."""
    with transaction.atomic():
        request = locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be approved.")
        )
        mark_approved(request, actor=actor, now=now)
        request.save()
        audit_log(
            action="subscription.approved",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"status": request.status},
        )
        notifications.on_approved(request)
        access_refresh_queue(request)
        method = payment_method_current(subscription_id=request.pk)
        if method is not None:
            if method.kind == PaymentMethodKind.PAD:
                _pad_confirm(method, now)
            _collect_first_invoice_after_commit(request)
    return request


def _pad_confirm(method: PaymentMethod, now: dt.datetime) -> None:
    """Rule 27: the PAD confirmation goes out at least 10 days before the first debit."""
    earliest = pad.pad_first_debit_earliest(confirmed_at=now)
    first_debit_on = max(earliest, method.subscription.start_date)
    pad_confirmation_send(payment_method=method, first_debit_on=first_debit_on, now=now)


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
        request = locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be refused.")
        )
        request.status = Subscription.Status.REFUSED
        request.decided_at = now
        request.decided_by = actor
        request.refusal_reason = reason
        unit_give_back(subscription=request, now=now)
        request.save()
        _payment_method_end(request, actor=actor, now=now)
        audit_log(
            action="subscription.refused",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"reason": reason},
        )
        notifications.on_refused(request)
        access_refresh_queue(request)
    return request


def subscription_cancel_pending(
    *, subscription: Subscription, actor: User, now: dt.datetime
) -> Subscription:
    """ "Annuler cette demande de service": the person withdraws a request still pending."""
    with transaction.atomic():
        request = locked_pending(
            subscription, refusal=_("Only a request awaiting approval can be withdrawn.")
        )
        request.status = Subscription.Status.CANCELLED
        request.cancelled_at = now
        unit_give_back(subscription=request, now=now)
        request.save()
        _payment_method_end(request, actor=actor, now=now)
        audit_log(
            action="subscription.cancelled",
            actor=actor,
            organization=request.organization,
            target=request,
            data={"by": "person"},
        )
        notifications.on_cancelled(request)
        access_refresh_queue(request)
    return request
