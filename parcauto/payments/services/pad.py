"""Pre-authorized debit: the bank account, the agreement, the notices (rules 26-32).

The submission checks the account (`pad_details_check`) with its other fields, then keeps
it (`pad_method_keep`) inside its own transaction; once the request is approved (or at
once, without approval), billing's `pad_confirmation_send` sends the confirmation that
starts the 10-day delay before the first debit (rule 27). The billing must never debit
before `pad_first_debit_earliest`; billing's `collect_pad.pad_collect` also skips a debit
whose confirmation is too recent. A refused or withdrawn request keeps no banking data
(`pad_method_forget`, rule 9).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import local_today
from parcauto.core.dates import format_date
from parcauto.core.errors import DomainError
from parcauto.core.money import format_money
from parcauto.core.uploads import UploadRefused, upload_check
from parcauto.notifications.models import OutboundEmail
from parcauto.notifications.services import email_send_template
from parcauto.subscriptions.errors import FieldErrors
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import LegalText
from parcauto.tenants.selectors import legal_text_current

from .. import cpa005, crypto
from ..models import PaymentMethod

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOTICE_DAYS = 10  # rules 27 and 28: calendar days
CHEQUE_MAX_BYTES = 5 * 1024 * 1024
HOLDER_NAME_MAX = 30  # the CPA-005 payor name's width, and the column's
CONFIRMATION_TEMPLATE = "pad_confirmation"
AMOUNT_CHANGE_TEMPLATE = "pad_amount_change"
# How far the confirmation's collection calendar looks ahead of the first debit.
_SEPARATORS = re.compile(r"[\s-]+")


class PadError(DomainError):
    code = "pad_error"


def _digits(value: str, sizes: range) -> str | None:
    """`value` without spaces and dashes if it is `sizes` ASCII digits, else None."""
    digits = _SEPARATORS.sub("", value)
    if digits.isascii() and digits.isdigit() and len(digits) in sizes:
        return digits
    return None


@dataclass(frozen=True)
class _BankAccount:
    institution: str
    transit: str
    account: str


def _bank_account_check(
    errors: dict[str, StrOrPromise], *, institution: str, transit: str, account: str
) -> _BankAccount | None:
    clean = _BankAccount(
        institution=_digits(institution, range(3, 4)) or "",
        transit=_digits(transit, range(5, 6)) or "",
        account=_digits(account, range(7, 13)) or "",
    )
    if not clean.institution:
        errors["institution"] = _("The institution number has 3 digits.")
    if not clean.transit:
        errors["transit"] = _("The transit number has 5 digits.")
    if not clean.account:
        errors["account"] = _("The account number has 7 to 12 digits.")
    return clean if clean.institution and clean.transit and clean.account else None


def pad_agreement_current(*, subscription: Subscription) -> LegalText | None:
    """The PAD agreement the person accepts now: the institution's latest version."""
    return legal_text_current(
        organization=subscription.organization, kind=LegalText.Kind.PAD_AGREEMENT
    )


def current_methods_retire(subscription: Subscription, *, now: dt.datetime) -> None:
    # One current method per contract (a constraint): a new account replaces the old one.
    PaymentMethod.objects.filter(
        subscription=subscription,
        status__in=PaymentMethod.CURRENT_STATUSES,
    ).update(status=PaymentMethod.Status.REPLACED, revoked_at=now, updated_at=now)


def _shown(char: str) -> str:
    # An invisible or control character is named by its code point, not printed.
    return f"U+{ord(char):04X}" if unicodedata.category(char)[0] in "CZ" else char


def _holder_name_error(name: str) -> StrOrPromise | None:
    """Why the CPA-005 file cannot carry `name` as the payor name, if it cannot.

    Exactly what the writer does with it (`cpa005.plain_ascii`): accents are dropped,
    and nothing else may be, since a name the file does not carry stops its debit.
    """
    if not name:
        return _("Enter the account holder's name.")
    if refused := cpa005.text_refused(name):
        return _(
            "Write the name in Latin letters, as your bank spells it: letters with or without "
            "accents, digits, spaces and punctuation only (not %(characters)s)."
        ) % {"characters": " ".join(_shown(char) for char in refused)}
    carried = cpa005.plain_ascii(name)
    if not any("A" <= char <= "Z" for char in carried):
        return _(
            "Write the name in Latin letters, as your bank spells it: letters with or without "
            "accents, digits, spaces and punctuation only."
        )
    if len(carried) > HOLDER_NAME_MAX:
        return _("The account holder's name has at most 30 characters.")
    return None


@dataclass(frozen=True)
class PadDetails:
    """A bank account as `pad_details_check` accepted it: digits only, the name trimmed."""

    bank: _BankAccount
    holder_name: str
    holder_kind: str
    cheque_file: UploadedFile
    agreement: LegalText


def pad_details_check(
    *,
    subscription: Subscription,
    institution: str,
    transit: str,
    account: str,
    holder_name: str,
    holder_kind: str,
    cheque_file: UploadedFile | None,
    agreement_accepted: bool,
) -> PadDetails:
    """Check what the payment step gathered for a debit, storing nothing.

    Every refused field is reported at once (FieldErrors, keyed by these argument names),
    so that a form can show them with its own errors before anything is recorded.
    PadError when the institution offers no PAD agreement.
    """
    errors: dict[str, StrOrPromise] = {}
    if PaymentMethodKind.PAD not in subscription.product.payment_methods_for(subscription.category):
        raise FieldErrors({"payment_method": _("Choose one of the payment methods offered.")})
    bank = _bank_account_check(errors, institution=institution, transit=transit, account=account)
    name = " ".join(holder_name.split())
    if name_error := _holder_name_error(name):
        errors["holder_name"] = name_error
    if holder_kind not in PaymentMethod.HolderKind.values:
        errors["holder_kind"] = _("Say whether the account is personal or a business account.")
    if cheque_file is None:
        errors["cheque_file"] = _("Attach a specimen cheque (image or PDF).")
    else:
        try:
            upload_check(cheque_file, max_bytes=CHEQUE_MAX_BYTES)
        except UploadRefused as refused:
            errors["cheque_file"] = refused.message
    agreement = pad_agreement_current(subscription=subscription)
    if agreement is None:
        raise PadError(
            _("This institution does not offer pre-authorized debit yet: choose another method."),
            code="pad_not_offered",
        )
    if not agreement_accepted:
        errors["agreement_accepted"] = _("Accept the pre-authorized debit agreement to continue.")
    if errors or bank is None or cheque_file is None:
        raise FieldErrors(errors)
    return PadDetails(
        bank=bank,
        holder_name=name,
        holder_kind=holder_kind,
        cheque_file=cheque_file,
        agreement=agreement,
    )


def pad_method_record(
    *,
    subscription: Subscription,
    institution: str,
    transit: str,
    account: str,
    holder_name: str,
    holder_kind: str,
    cheque_file: UploadedFile | None,
    agreement_accepted: bool,
    now: dt.datetime,
) -> PaymentMethod:
    """Check (`pad_details_check`) and keep (`pad_method_keep`) a bank account for debits."""
    details = pad_details_check(
        subscription=subscription,
        institution=institution,
        transit=transit,
        account=account,
        holder_name=holder_name,
        holder_kind=holder_kind,
        cheque_file=cheque_file,
        agreement_accepted=agreement_accepted,
    )
    return pad_method_keep(subscription=subscription, details=details, now=now)


def pad_method_keep(
    *, subscription: Subscription, details: PadDetails, now: dt.datetime
) -> PaymentMethod:
    """Keep a bank account `pad_details_check` accepted, encrypted, with its agreement.

    Call it inside the caller's transaction: the method is PENDING until
    `pad_confirmation_send`. The cheque specimen is stored under a random private name
    at once (storage knows no transactions): a caller whose transaction then fails must
    delete it (`pad_cheque_discard`).
    """
    bank = details.bank
    current_methods_retire(subscription, now=now)
    method = PaymentMethod(
        organization=subscription.organization,
        subscription=subscription,
        person=subscription.person,
        kind=PaymentMethodKind.PAD,
        status=PaymentMethod.Status.PENDING,
        bank_institution=bank.institution,
        bank_transit=bank.transit,
        bank_account_encrypted=crypto.bank_account_encrypt(bank.account),
        bank_account_last_digits=bank.account[-4:],
        holder_name=details.holder_name,
        holder_kind=details.holder_kind,
        pad_agreement=details.agreement,
        pad_agreement_accepted_at=now,
    )
    method.cheque_specimen.save("cheque", details.cheque_file, save=False)
    try:
        method.save()
    except BaseException:
        pad_cheque_discard(method)  # the caller never gets the method to discard it
        raise
    return method


def pad_cheque_discard(method: PaymentMethod) -> None:
    """Delete the cheque file of a method whose row was rolled back (no orphan file)."""
    if method.cheque_specimen:
        method.cheque_specimen.delete(save=False)


def pad_method_forget(*, payment_method: PaymentMethod, now: dt.datetime) -> PaymentMethod:
    """A refused or withdrawn request keeps no banking data (rule 9).

    The method is revoked if still in force; the account (encrypted), the institution,
    transit and holder name are erased, and the cheque file deleted once the caller's
    transaction commits (a rollback keeps the file its row still names). Only the
    account's last digits stay, for the audit trail. A second call changes nothing.
    """
    method = payment_method
    if method.kind != PaymentMethodKind.PAD:
        raise PadError(_("This payment method is not a pre-authorized debit in force."))
    method_revoke(method, actor=None, now=now)
    if not (method.bank_account_encrypted or method.cheque_specimen or method.bank_transit):
        return method
    cheque_name = method.cheque_specimen.name
    PaymentMethod.objects.filter(pk=method.pk).update(
        bank_institution="",
        bank_transit="",
        bank_account_encrypted="",
        holder_name="",
        cheque_specimen="",
        updated_at=now,
    )
    if cheque_name:
        storage = method.cheque_specimen.storage
        transaction.on_commit(partial(storage.delete, cheque_name))
    method.refresh_from_db()
    audit_log(
        action="payments.pad_forgotten",
        actor=None,
        organization=method.organization,
        target=method,
        data={
            "subscription": method.subscription_id,
            "account": crypto.masked(method.bank_account_last_digits),
        },
    )
    return method


def method_revoke(method: PaymentMethod, *, actor: User | None, now: dt.datetime) -> PaymentMethod:
    """End a method in force (audited); no later file takes it. A second call does nothing."""
    updated = PaymentMethod.objects.filter(
        pk=method.pk, status__in=PaymentMethod.CURRENT_STATUSES
    ).update(status=PaymentMethod.Status.REVOKED, revoked_at=now, updated_at=now)
    method.refresh_from_db()
    if updated:
        audit_log(
            action=f"payments.{method.kind}_revoked",
            actor=actor,
            organization=method.organization,
            target=method,
            data={"subscription": method.subscription_id},
        )
    return method


def pad_agreement_revoke(
    *, payment_method: PaymentMethod, actor: User | None, now: dt.datetime
) -> PaymentMethod:
    """End the PAD agreement (the person's cancellation, or the institution's after its
    30 days' notice, rule 30): no debit from the next file on.

    Debits already in a file stay as they are; the contract must then be paid another
    way. A second call changes nothing.
    """
    if payment_method.kind != PaymentMethodKind.PAD:
        raise PadError(_("This payment method is not a pre-authorized debit in force."))
    return method_revoke(payment_method, actor=actor, now=now)


def pad_first_debit_earliest(*, confirmed_at: dt.datetime) -> dt.date:
    """The first day a debit may be drawn: 10 calendar days after the confirmation."""
    return local_today(confirmed_at) + dt.timedelta(days=NOTICE_DAYS)


@dataclass(frozen=True)
class PadCalendarLine:
    """A debit to come, as the PAD confirmation lists it (billing makes the calendar)."""

    debit_on: dt.date
    amount: Decimal


def _pad_email(
    method: PaymentMethod, *, template: str, context: dict[str, object], dedupe_key: str
) -> OutboundEmail:
    subscription = method.subscription
    return email_send_template(
        template=template,
        to=method.person.email,
        context={
            "subscription": subscription,
            "person": method.person,
            "method": method,
            "account_masked": crypto.masked(method.bank_account_last_digits),
            **context,
        },
        language=method.person.language,
        organization=subscription.organization,
        dedupe_key=dedupe_key,
    )


def pad_confirmation_record(
    *,
    payment_method: PaymentMethod,
    first_debit_on: dt.date,
    calendar: Iterable[PadCalendarLine],
    now: dt.datetime,
) -> OutboundEmail:
    """The PAD confirmation (rule 27): the agreement's terms and the collection calendar
    (billing's `collect_pad.pad_confirmation_send` makes it).

    The method becomes ACTIVE. `first_debit_on` earlier than 10 days from now is refused
    (PadError): send the confirmation earlier or debit later. A second call returns the
    first e-mail and changes nothing.
    """
    method = payment_method
    if method.kind != PaymentMethodKind.PAD or method.status not in (
        PaymentMethod.Status.PENDING,
        PaymentMethod.Status.ACTIVE,
    ):
        raise PadError(_("This payment method is not a pre-authorized debit in force."))
    dedupe_key = f"{CONFIRMATION_TEMPLATE}:{method.pk}"
    if method.pad_confirmation_sent_at is not None:
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    earliest = pad_first_debit_earliest(confirmed_at=now)
    if first_debit_on < earliest:
        raise PadError(
            _("The first debit cannot be drawn before %(date)s, 10 days after the confirmation.")
            % {"date": format_date(earliest)},
            code="first_debit_too_soon",
        )
    method.status = PaymentMethod.Status.ACTIVE
    method.pad_confirmation_sent_at = now
    method.save(update_fields=["status", "pad_confirmation_sent_at", "updated_at"])
    return _pad_email(
        method,
        template=CONFIRMATION_TEMPLATE,
        context={
            "first_debit_on": first_debit_on,
            "calendar": [
                (line.debit_on, format_money(line.amount, method.person.language))
                for line in calendar
            ],
            "agreement": method.pad_agreement,
        },
        dedupe_key=dedupe_key,
    )


def pad_amount_change_notice(
    *, payment_method: PaymentMethod, new_amount: Decimal, effective_on: dt.date, now: dt.datetime
) -> OutboundEmail:
    """Notice of a new debit amount (rule 28), at least 10 calendar days before it applies."""
    if not isinstance(new_amount, Decimal):
        raise TypeError(f"new_amount must be a Decimal, not {type(new_amount).__name__}")
    earliest = local_today(now) + dt.timedelta(days=NOTICE_DAYS)
    if effective_on < earliest:
        raise PadError(
            _("A new amount can apply from %(date)s at the earliest, 10 days after the notice.")
            % {"date": format_date(earliest)},
            code="notice_too_short",
        )
    if payment_method.kind != PaymentMethodKind.PAD:
        raise PadError(_("This payment method is not a pre-authorized debit in force."))
    return _pad_email(
        payment_method,
        template=AMOUNT_CHANGE_TEMPLATE,
        context={
            "new_amount": format_money(new_amount, payment_method.person.language),
            "effective_on": effective_on,
        },
        dedupe_key=f"{AMOUNT_CHANGE_TEMPLATE}:{payment_method.pk}:{effective_on}:{new_amount}",
    )
