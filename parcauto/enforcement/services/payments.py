"""Paying a notice by card on the public page, exactly once (as `billing.services.collect`).

The iframe's temporary token goes the permits' way (`Gateway.vault_add`: verified as a
cardholder-initiated first use, rule 22), for this one charge only. A NoticePayment is
committed SENT with its order id `notice-<number>-<try>` *before* the gateway is called;
the charge is made outside any transaction, then its answer recorded: approved, the
notice moves to PAID (`notice_transition`) and its receipt is e-mailed if an address was
given. A lost answer (timeout) is asked back at once with `status(order_id)`; if the
gateway still cannot say, the attempt stays SENT and blocks any other payment of the
notice until it is settled: the next visit of the notice's page asks again, and so does
the periodic job (`lost_notice_payments_settle`) once it has been SENT for `LOST_AFTER`,
so a payment the gateway approved is never left unrecorded for want of a visit. The vault
profile is deleted once the charge is answered: nothing of the card stays.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import IntegrityError, transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.clock import local_today
from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import CardProfile, Charge, ChargeResult, Gateway, GatewayError
from parcauto.tenants.models import Organization

from ..emails import notice_receipt_email
from ..errors import NoticeAlreadyPaid, NoticeNotPayable, NoticeStateRefused, PaymentUnconfirmed
from ..models import ClaimNotice, NoticePayment
from .pricing import notice_amount_due
from .transitions import notice_transition

logger = logging.getLogger(__name__)

State = ClaimNotice.State
Status = NoticePayment.Status
PAYABLE_STATES = (State.ISSUED, State.COLLECTION)
# Moneris' message when the gateway never had the order id (nothing was charged).
NEVER_REACHED = "not received by the gateway"
# An attempt still SENT after this lost its answer with the process that sent it (a
# charge in flight is answered within the gateway's timeout, seconds).
LOST_AFTER = dt.timedelta(minutes=10)


def notice_payable_check(notice: ClaimNotice) -> None:
    """NoticeAlreadyPaid or NoticeNotPayable unless the notice can be paid now."""
    live = NoticePayment.objects.filter(notice=notice, status__in=NoticePayment.LIVE_STATUSES)
    if notice.state == State.PAID or live.exists():
        raise NoticeAlreadyPaid()
    if notice.state not in PAYABLE_STATES:
        raise NoticeNotPayable(notice.state)


def notice_pay(
    *,
    notice: ClaimNotice,
    temporary_token: str,
    email: str,
    language: str,
    actor: User | None,
    now: dt.datetime,
    gateway: Gateway | None = None,
) -> NoticePayment:
    """Charge the notice's amount due today on the card of `temporary_token`.

    Raises CardRejected (the card could not be verified: nothing written), GatewayError
    (the gateway could not be asked: nothing charged), NoticeAlreadyPaid /
    NoticeNotPayable, or PaymentUnconfirmed (an attempt whose answer is unknown). Returns
    the attempt, APPROVED or DECLINED. Must run outside any transaction.
    """
    gateway = gateway or get_gateway()
    notice_payments_settle(notice=notice, actor=actor, now=now, gateway=gateway)
    notice.refresh_from_db()
    notice_payable_check(notice)
    profile = gateway.vault_add(
        temporary_token=temporary_token, customer_id=f"notice-{notice.number}"
    )
    try:
        payment = _attempt_commit(
            notice, profile, email=email, language=language, gateway=gateway, now=now
        )
    except Exception:
        _vault_forget(gateway, profile.data_key)
        raise
    charge = Charge(
        order_id=payment.order_id,
        data_key=profile.data_key,
        amount=payment.amount,
        issuer_id=profile.issuer_id,
        recurring=False,  # the cardholder is paying now
    )
    result = _charge_once(gateway, charge)
    if result is None:
        raise PaymentUnconfirmed()
    return _answer_record(payment, result, gateway=gateway, actor=actor, now=now)


def notice_payments_settle(
    *, notice: ClaimNotice, actor: User | None, now: dt.datetime, gateway: Gateway | None = None
) -> None:
    """Ask the gateway about the notice's SENT attempt, if any, and record its answer.

    Raises PaymentUnconfirmed when the gateway still cannot say. An id the gateway never
    had was never charged: that attempt is closed as declined, and paying again is safe.
    """
    pending = list(NoticePayment.objects.filter(notice=notice, status=Status.SENT))
    if not pending:
        return
    gateway = gateway or get_gateway()
    for payment in pending:
        try:
            known = gateway.status(order_id=payment.order_id)
        except GatewayError:
            raise PaymentUnconfirmed() from None
        if known is None:
            known = ChargeResult(
                order_id=payment.order_id, approved=False, response_code="", message=NEVER_REACHED
            )
        _answer_record(payment, known, gateway=gateway, actor=actor, now=now)


def lost_notice_payments_settle(
    *, organization: Organization, today: dt.date, now: dt.datetime
) -> int:
    """The periodic job: settle this institution's attempts SENT for `LOST_AFTER`; how
    many notices were settled. One the gateway still cannot say about waits for the next
    run (logged); it keeps the notice out of collection meanwhile."""
    del today  # `each_institution` gives every job the day; this one needs the time
    lost = ClaimNotice.objects.filter(
        organization=organization,
        payments__status=Status.SENT,
        payments__created_at__lte=now - LOST_AFTER,
    ).distinct()
    settled = 0
    for notice in lost.order_by("pk"):
        try:
            notice_payments_settle(notice=notice, actor=None, now=now)
        except PaymentUnconfirmed:
            logger.warning("notice payment still unconfirmed", extra={"notice": notice.pk})
            continue
        settled += 1
    return settled


def _attempt_commit(
    notice: ClaimNotice,
    profile: CardProfile,
    *,
    email: str,
    language: str,
    gateway: Gateway,
    now: dt.datetime,
) -> NoticePayment:
    """The SENT attempt, committed under the notice's lock after checking it again."""
    with transaction.atomic():
        locked = ClaimNotice.objects.select_for_update().get(
            pk=notice.pk, organization_id=notice.organization_id
        )
        notice_payable_check(locked)
        amount = notice_amount_due(notice=locked, today=local_today(now))
        tries = NoticePayment.objects.filter(notice=locked).count()
        try:
            with transaction.atomic():
                payment = NoticePayment.objects.create(
                    organization_id=locked.organization_id,
                    notice=locked,
                    order_id=f"notice-{locked.number}-{tries + 1}",
                    amount=amount,
                    late_fee=amount - locked.total,
                    gateway=gateway.name,
                    data_key=profile.data_key,
                    card_brand=profile.brand[:20],
                    card_last4=profile.last4[-4:],
                    email=email,
                    language=language,
                )
        except IntegrityError:
            # Another tab's attempt was committed first: it is the notice's payment.
            raise NoticeAlreadyPaid() from None
        audit_log(
            action="enforcement.notice_payment_sent",
            actor=None,
            organization=locked.organization,
            target=locked,
            data={"order_id": payment.order_id, "amount": str(amount)},
        )
    return payment


def _charge_once(gateway: Gateway, charge: Charge) -> ChargeResult | None:
    """The gateway's answer, asked back after a lost one; None when it cannot be known."""
    try:
        return gateway.purchase(charge)
    except GatewayError:
        pass
    try:
        known = gateway.status(order_id=charge.order_id)
        if known is not None:
            return known
        # The gateway never had this id: sending it again cannot charge twice.
        return gateway.purchase(charge)
    except GatewayError:
        return None


def _answer_record(
    payment: NoticePayment,
    result: ChargeResult,
    *,
    gateway: Gateway,
    actor: User | None,
    now: dt.datetime,
) -> NoticePayment:
    with transaction.atomic():
        locked = (
            NoticePayment.objects.select_for_update()
            .select_related("notice")
            .get(pk=payment.pk, organization_id=payment.organization_id)
        )
        if locked.status != Status.SENT:
            return locked  # settled meanwhile (another visit asked first)
        data_key = locked.data_key
        locked.status = Status.APPROVED if result.approved else Status.DECLINED
        locked.response_code = result.response_code[:10]
        locked.message = result.message[:200]
        locked.reference = result.reference[:50]
        locked.auth_code = result.auth_code[:20]
        locked.paid_at = (result.processed_at or now) if result.approved else None
        locked.data_key = ""
        locked.save()
        audit_log(
            action=f"enforcement.notice_payment_{locked.status}",
            actor=None,
            organization=locked.notice.organization,
            target=locked.notice,
            data={"order_id": locked.order_id, "code": locked.response_code},
        )
        if result.approved:
            _notice_paid(locked, actor=actor)
        if data_key:
            transaction.on_commit(partial(_vault_forget, gateway, data_key))
    return locked


def _notice_paid(payment: NoticePayment, *, actor: User | None) -> None:
    try:
        notice_transition(
            notice=payment.notice,
            to=State.PAID,
            actor=actor,
            data={"order_id": payment.order_id, "amount": str(payment.amount)},
        )
    except NoticeStateRefused:
        # Cancelled by staff while the card was being charged: the money is taken and
        # must be given back by hand; the audit trail says so.
        logger.warning("Notice payment %s approved on a closed notice", payment.order_id)
        audit_log(
            action="enforcement.notice_payment_to_refund",
            actor=None,
            organization=payment.notice.organization,
            target=payment.notice,
            data={"order_id": payment.order_id, "amount": str(payment.amount)},
        )
    if payment.email:
        transaction.on_commit(
            partial(
                notice_receipt_email.enqueue,
                organization_id=payment.organization_id,
                payment_id=payment.pk,
            )
        )


def _vault_forget(gateway: Gateway, data_key: str) -> None:
    try:
        gateway.vault_delete(data_key=data_key)
    except GatewayError:
        # Nothing charges an orphan profile; logged to be removed by hand.
        logger.warning("Could not delete a vault profile (data key ending %s)", data_key[-4:])
