"""The receipt of a paid claim notice, as PDF: billing's receipt frame (rules 3 and 4:
each tax printed, the institution's GST and QST numbers), French first, English on
request. The late fee is a penalty, not a supply: it is printed apart, untaxed."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from parcauto.billing.receipts import RECEIPT_LANGUAGES, supplier_context
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.dates import format_date
from parcauto.core.money import format_money
from parcauto.payments.brands import card_brand_name
from parcauto.subscriptions.contract import render_pdf

from .models import NoticePayment


def notice_receipt_context(payment: NoticePayment, language: str) -> dict[str, Any]:
    """What the receipt prints, in `language` (call it under translation.override)."""
    notice = payment.notice
    assert payment.paid_at is not None  # noqa: S101 - only an approved payment has a receipt
    paid_at = payment.paid_at.astimezone(LOCAL_TZ)
    observed = notice.observed_at.astimezone(LOCAL_TZ)
    money = {
        "pre_tax": notice.pre_tax,
        "gst": notice.gst,
        "qst": notice.qst,
        "total": notice.total,
        "late_fee": payment.late_fee,
        "amount": payment.amount,
    }
    return {
        **supplier_context(
            organization=notice.organization, tax_day=observed.date(), language=language
        ),
        "title": _("Receipt: claim notice no. %(number)s") % {"number": notice.number},
        "issued_on": format_date(paid_at.date()),
        "email": payment.email,
        "notice_number": notice.number,
        "reason": notice.get_reason_display(),
        "plate": f"{notice.plate} ({notice.jurisdiction})",
        "lot": f"{notice.lot.number} - {notice.lot.name}",
        "observed_on": format_date(observed.date()),
        "card": f"{card_brand_name(payment.card_brand)} •••• {payment.card_last4}",
        "order_id": payment.order_id,
        "auth_code": payment.auth_code,
        "money": {name: format_money(value, language) for name, value in money.items()},
        "taxed": notice.gst > 0 or notice.qst > 0,
        "late": payment.late_fee > 0,
    }


def notice_receipt_html(payment: NoticePayment, language: str = "fr") -> str:
    if language not in RECEIPT_LANGUAGES:
        raise ValueError(f"a receipt is in French or English, not {language!r}")
    with translation.override(language), scope(organization=payment.organization):
        return render_to_string(
            "enforcement/notice_receipt.html", notice_receipt_context(payment, language)
        )


def notice_receipt_pdf(payment: NoticePayment, language: str = "fr") -> bytes:
    return render_pdf(notice_receipt_html(payment, language))


def notice_receipt_filename(payment: NoticePayment, language: str = "fr") -> str:
    stem = "receipt-notice" if language == "en" else "recu-avis"
    return f"{stem}-{payment.notice.number}.pdf"
