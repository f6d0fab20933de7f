"""Paying a notice by card, exactly once: approvals, declines, lost answers, second tries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from parcauto.enforcement.errors import NoticeAlreadyPaid, NoticeNotPayable
from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.enforcement.services.payments import (
    LOST_AFTER,
    lost_notice_payments_settle,
    notice_pay,
    notice_payments_settle,
)
from parcauto.enforcement.services.transitions import notice_transition
from parcauto.payments.gateways.base import CardRejected, Charge
from parcauto.payments.gateways.sandbox import SandboxGateway, sandbox_card_tokenize
from parcauto.payments.models import SandboxCard, SandboxTransaction
from tests.enforcement.notices import DUE, notice_make

pytestmark = pytest.mark.django_db
VISA = "4242424242424242"
TIMEOUT = "4000000000000119"
DECLINES_CHARGES = "4000000000000341"
DECLINED = "4000000000000002"
ON_TIME = dt.datetime(2026, 7, 2, 12, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 7, 20, 12, 0, tzinfo=dt.UTC)


def _token(number: str = VISA) -> str:
    return sandbox_card_tokenize(number=number, expiry="3012").token


def _pay(notice: ClaimNotice, number: str = VISA, *, now: dt.datetime = ON_TIME, email: str = ""):
    return notice_pay(
        notice=notice,
        temporary_token=_token(number),
        email=email,
        language="fr",
        actor=None,
        now=now,
        gateway=SandboxGateway(),
    )


def test_an_approved_payment_pays_the_notice_once_and_keeps_no_card(
    organization, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    notice = notice_make(organization)
    with django_capture_on_commit_callbacks(execute=True):
        payment = _pay(notice, email="marie@example.com")
    notice.refresh_from_db()
    assert (payment.status, payment.amount, payment.late_fee) == (
        NoticePayment.Status.APPROVED,
        Decimal("45.99"),
        Decimal("0.00"),
    )
    assert payment.order_id == f"notice-{notice.number}-1"
    assert notice.state == ClaimNotice.State.PAID
    assert payment.data_key == "" and not SandboxCard.objects.filter(permanent=True).exists()
    charged = SandboxTransaction.objects.get()
    assert (charged.order_id, charged.amount) == (payment.order_id, Decimal("45.99"))
    (receipt,) = mailoutbox
    assert receipt.to == ["marie@example.com"]
    assert receipt.attachments[0][0] == f"recu-avis-{notice.number}.pdf"


def test_a_second_payment_of_a_paid_notice_is_refused_and_charges_nothing(organization) -> None:
    notice = notice_make(organization)
    _pay(notice)
    with pytest.raises(NoticeAlreadyPaid):
        _pay(notice)
    assert SandboxTransaction.objects.count() == 1
    assert NoticePayment.objects.filter(notice=notice).count() == 1


def test_after_the_due_date_the_late_fee_is_charged_untaxed(organization) -> None:
    payment = _pay(notice_make(organization), now=LATE)
    assert (payment.amount, payment.late_fee) == (Decimal("60.99"), Decimal("15.00"))
    assert LATE.date() > DUE


def test_a_declined_charge_leaves_the_notice_payable_with_another_card(organization) -> None:
    notice = notice_make(organization)
    declined = _pay(notice, DECLINES_CHARGES)
    notice.refresh_from_db()
    assert (declined.status, notice.state) == (NoticePayment.Status.DECLINED, "issued")
    approved = _pay(notice)
    assert approved.order_id == f"notice-{notice.number}-2"
    assert approved.status == NoticePayment.Status.APPROVED


def test_a_card_the_vault_refuses_writes_nothing(organization) -> None:
    notice = notice_make(organization)
    with pytest.raises(CardRejected):
        _pay(notice, DECLINED)
    assert not NoticePayment.objects.exists()


def test_a_lost_answer_is_asked_back_and_never_charged_twice(organization) -> None:
    notice = notice_make(organization)
    payment = _pay(notice, TIMEOUT)  # charged, then no answer: `status` tells
    notice.refresh_from_db()
    assert payment.status == NoticePayment.Status.APPROVED
    assert notice.state == ClaimNotice.State.PAID
    assert SandboxTransaction.objects.count() == 1


def _sent(notice: ClaimNotice, order_id: str) -> NoticePayment:
    """An attempt committed, whose answer was lost with the process that sent it."""
    return NoticePayment.objects.create(
        organization=notice.organization,
        notice=notice,
        order_id=order_id,
        amount=notice.total,
        gateway="sandbox",
    )


def test_an_attempt_the_gateway_never_had_is_closed_and_paying_again_is_safe(
    organization,
) -> None:
    notice = notice_make(organization)
    never = _sent(notice, f"notice-{notice.number}-1")
    paid = _pay(notice)  # settles the lost attempt first
    never.refresh_from_db()
    assert never.status == NoticePayment.Status.DECLINED
    assert (paid.status, paid.order_id) == (
        NoticePayment.Status.APPROVED,
        f"notice-{notice.number}-2",
    )


def test_an_attempt_the_gateway_approved_pays_the_notice_without_a_new_charge(
    organization,
) -> None:
    notice = notice_make(organization)
    gateway = SandboxGateway()
    profile = gateway.vault_add(temporary_token=_token(), customer_id="x")
    order_id = f"notice-{notice.number}-1"
    gateway.purchase(Charge(order_id=order_id, data_key=profile.data_key, amount=notice.total))
    lost = _sent(notice, order_id)
    notice_payments_settle(notice=notice, actor=None, now=ON_TIME, gateway=gateway)
    lost.refresh_from_db()
    notice.refresh_from_db()
    assert (lost.status, notice.state) == (NoticePayment.Status.APPROVED, "paid")
    with pytest.raises(NoticeAlreadyPaid):
        _pay(notice)
    assert SandboxTransaction.objects.count() == 1


def test_a_contested_or_cancelled_notice_cannot_be_paid(organization) -> None:
    contested = notice_make(organization)
    notice_transition(notice=contested, to=ClaimNotice.State.CONTESTED, actor=None)
    cancelled = notice_make(organization)
    notice_transition(notice=cancelled, to=ClaimNotice.State.CANCELLED, actor=None)
    for notice in (contested, cancelled):
        with pytest.raises(NoticeNotPayable):
            _pay(notice)
    assert not NoticePayment.objects.exists()


def test_the_periodic_job_settles_lost_answers_and_leaves_those_in_flight(
    organization,
) -> None:
    approved, never, in_flight = (
        notice_make(organization, plate=p) for p in ("AAA111", "BBB222", "CCC333")
    )
    gateway = SandboxGateway()
    profile = gateway.vault_add(temporary_token=_token(), customer_id="x")
    charged = f"notice-{approved.number}-1"
    gateway.purchase(Charge(order_id=charged, data_key=profile.data_key, amount=approved.total))
    with time_machine.travel(ON_TIME, tick=False):
        _sent(approved, charged)
        _sent(never, f"notice-{never.number}-1")
    with time_machine.travel(ON_TIME + LOST_AFTER - dt.timedelta(seconds=1), tick=False):
        recent = _sent(in_flight, f"notice-{in_flight.number}-1")  # still in flight
    settled = lost_notice_payments_settle(
        organization=organization, today=ON_TIME.date(), now=ON_TIME + LOST_AFTER
    )
    assert settled == 2
    states = {
        notice.plate: (notice.state, notice.payments.get().status)
        for notice in ClaimNotice.objects.order_by("plate")
    }
    assert states == {
        "AAA111": (ClaimNotice.State.PAID, NoticePayment.Status.APPROVED),
        "BBB222": (ClaimNotice.State.ISSUED, NoticePayment.Status.DECLINED),
        "CCC333": (ClaimNotice.State.ISSUED, NoticePayment.Status.SENT),
    }
    assert recent.pk == in_flight.payments.get().pk
    assert SandboxTransaction.objects.count() == 1  # asked about, never charged again
