"""A contract's means of payment as the payment step gathered it, recorded at submission.

Ending it when the request is refused or withdrawn (rule 9) is the sale's
(`sales.services`): a card leaves the vault by a task of this app, queued after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parcauto.catalog.models import PaymentMethodKind
from parcauto.subscriptions.models import Subscription

from ..models import PaymentMethod
from . import cards, pad, payroll

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


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


def payment_method_record(
    request: Subscription, payment: Payment, pad_details: pad.PadDetails | None, now: dt.datetime
) -> PaymentMethod:
    """`pad_details`: what `pad_details_check` accepted of a PadPayment, checked once."""
    if isinstance(payment, CardPayment):
        return cards.card_method_record(
            subscription=request, temporary_token=payment.temporary_token, now=now
        )
    if isinstance(payment, PadPayment):
        assert pad_details is not None  # noqa: S101 - the submission checked it first
        return pad.pad_method_keep(subscription=request, details=pad_details, now=now)
    return payroll.payroll_method_record(
        subscription=request,
        employee_number=payment.employee_number,
        authorized=payment.authorized,
        now=now,
    )


def pad_fields(payment: PadPayment) -> dict[str, Any]:
    return {
        "institution": payment.institution,
        "transit": payment.transit,
        "account": payment.account,
        "holder_name": payment.holder_name,
        "holder_kind": payment.holder_kind,
        "cheque_file": payment.cheque_file,
        "agreement_accepted": payment.agreement_accepted,
    }


def cheque_discard(method: PaymentMethod | None) -> None:
    """A rolled-back bank account's cheque file must not outlive its row."""
    if method is not None and method.kind == PaymentMethodKind.PAD:
        pad.pad_cheque_discard(method)
