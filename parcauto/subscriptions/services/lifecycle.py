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
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.billing.services.collect_pad import pad_confirmation_send
from parcauto.billing.tasks import collect_first_invoice
from parcauto.catalog.models import PaymentMethodKind
from parcauto.catalog.services import product_unit_take
from parcauto.core.clock import local_today
from parcauto.core.sequences import sequence_next
from parcauto.payments.models import PaymentMethod
from parcauto.payments.selectors import payment_method_current
from parcauto.payments.services import cards, pad, payroll
from parcauto.tenants.models import LegalText, Organization
from parcauto.tenants.scoping import institutions_each
from parcauto.vehicles.models import Vehicle

from .. import notifications
from ..errors import FieldErrors, ProductNotAvailable, SoldOut, TransitionNotAllowed
from ..follow_up import submission_follow_up_queue
from ..models import Consent, Subscription, WaitingListEntry
from .units import unit_give_back, waitlist_offer_take

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
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


# --- how the contract pays, as typed on the payment step -----------------------------------


@dataclass(frozen=True)
class CardPayment:
    """The gateway iframe's temporary token (never the card number, rule 21)."""

    temporary_token: str
    kind = PaymentMethodKind.CARD


@dataclass(frozen=True)
class PadPayment:
    institution: str
    transit: str
    account: str
    holder_name: str
    holder_kind: str
    cheque_file: UploadedFile | None
    agreement_accepted: bool
    kind = PaymentMethodKind.PAD


@dataclass(frozen=True)
class PayrollPayment:
    employee_number: str
    authorized: bool
    kind = PaymentMethodKind.PAYROLL


Payment = CardPayment | PadPayment | PayrollPayment


def _payment_method_record(
    request: Subscription, payment: Payment, pad_details: pad.PadDetails | None, now: dt.datetime
) -> PaymentMethod:
    """`pad_details`: what `pad_details_check` accepted of a PadPayment, checked once."""
    if isinstance(payment, CardPayment):
        return cards.card_method_record(
            subscription=request, temporary_token=payment.temporary_token, now=now
        )
    if isinstance(payment, PadPayment):
        assert pad_details is not None  # noqa: S101 - subscription_submit checked it first
        return pad.pad_method_keep(subscription=request, details=pad_details, now=now)
    return payroll.payroll_method_record(
        subscription=request,
        employee_number=payment.employee_number,
        authorized=payment.authorized,
        now=now,
    )


def _pad_fields(payment: PadPayment) -> dict[str, Any]:
    return {
        "institution": payment.institution,
        "transit": payment.transit,
        "account": payment.account,
        "holder_name": payment.holder_name,
        "holder_kind": payment.holder_kind,
        "cheque_file": payment.cheque_file,
        "agreement_accepted": payment.agreement_accepted,
    }


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
        cards.card_forget_after_commit(subscription=request)
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
            pad_details = pad.pad_details_check(subscription=subscription, **_pad_fields(payment))
        except FieldErrors as refused:
            errors.update(refused.errors)
    if errors:
        raise FieldErrors(errors)

    facts = _submission_facts(subscription, now)
    if facts.status != Subscription.Status.DRAFT:  # a double click: it is already sent
        return Subscription.objects.get(organization=subscription.organization, pk=subscription.pk)
    _submission_refusals(subscription, facts, now)
    request = copy.copy(subscription)  # the caller's object keeps what it read
    method: PaymentMethod | None = None
    try:
        with transaction.atomic():
            offered = facts.offer and waitlist_offer_take(
                product=request.product, person=request.person, now=now
            )
            _record_payment_consents(
                request,
                payment_method=payment_method,
                payment_text_id=facts.payment_text_id,
                charge_notice=needs_charge_notice,
                now=now,
            )
            method = _payment_method_record(request, payment, pad_details, now) if payment else None
            request.payment_method = payment_method
            request.submitted_at = now
            if product.approval_required:
                request.status = Subscription.Status.SUBMITTED
            else:
                _mark_approved(request, actor=None, now=now)
            submission_follow_up_queue(request, method)  # before the hot rows are locked
            # The contended rows come last, so their locks last only until the commit that
            # follows: one unit of the quota (the conditional UPDATE decides), then the number.
            if not offered and not product_unit_take(product=request.product):
                raise SoldOut
            request.holds_unit = True
            request.contract_number = sequence_next(
                name=CONTRACT_SEQUENCE, start=FIRST_CONTRACT_NUMBER
            )
            if not _draft_send(request):
                raise _AlreadySent
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
    except (_AlreadySent, IntegrityError) as lost:
        # Another click sent it after our read: its consents (one of each kind per
        # request) or the draft's conditional UPDATE stopped this one, and everything of
        # this one (unit, number, consents, payment method) rolled back.
        _discard_cheque(method)
        sent = Subscription.objects.get(organization=subscription.organization, pk=subscription.pk)
        if sent.status != Subscription.Status.DRAFT:
            return sent
        if isinstance(lost, IntegrityError):
            raise  # not a second click: a fault to hear of
        raise TransitionNotAllowed(_("Review the summary before sending the request.")) from None
    except BaseException:
        _discard_cheque(method)
        raise
    return request


@dataclass(frozen=True)
class _SubmissionFacts:
    """What "Soumettre" decides on besides the caller's copy, read in one statement."""

    status: str
    step: str
    product_id: int
    has_vehicle: bool
    vehicle_removed: bool
    offer: bool  # a live waiting-list offer of the product to the person
    payment_text_id: int | None  # the payment conditions in force


def _submission_refusals(draft: Subscription, facts: _SubmissionFacts, now: dt.datetime) -> None:
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


class _AlreadySent(Exception):
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


def _submission_facts(request: Subscription, now: dt.datetime) -> _SubmissionFacts:
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
    return _SubmissionFacts(
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


def _draft_send(request: Subscription) -> bool:
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


def _discard_cheque(method: PaymentMethod | None) -> None:
    """A rolled-back bank account's cheque file must not outlive its row."""
    if method is not None and method.kind == PaymentMethodKind.PAD:
        pad.pad_cheque_discard(method)


def _record_payment_consents(
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
        request = _locked_pending(
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
        _payment_method_end(request, actor=actor, now=now)
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
    activated = 0
    for organization in institutions_each():  # a job for every institution, one at a time
        with scope(organization=organization):
            activated += _activate_due(organization=organization, today=local_today(now), now=now)
    return activated


def _activate_due(*, organization: Organization, today: dt.date, now: dt.datetime) -> int:
    due = list(
        Subscription.objects.filter(
            organization=organization, status=Subscription.Status.APPROVED, start_date__lte=today
        ).values_list("pk", flat=True)
    )
    activated = 0
    for pk in due:
        with transaction.atomic():
            request = (
                Subscription.objects.select_for_update()
                .filter(organization=organization, pk=pk, status=Subscription.Status.APPROVED)
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
                organization=organization,
                target=request,
            )
            activated += 1
    return activated
