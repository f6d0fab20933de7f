"""Receipts (paid) and invoices (still owed) as PDF: French first, English on request.

Rendered like the contract (subscriptions.contract.render_pdf: US Letter, shipped fonts,
no network). Rules 3 and 4: the pre-tax amount, GST and QST each printed, "taxes
incluses", and the supplier's GST and QST registration numbers (the institution's).
From 150 $ on, the purchaser's name and the terms are printed too; they always are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from parcauto.accounts.models import Profile
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.money import format_money, format_rate
from parcauto.subscriptions.contract import long_date, render_pdf
from parcauto.tenants.models import Organization

from .models import Invoice, TaxRate
from .taxes import tax_rate_on

RECEIPT_LANGUAGES = ("fr", "en")


def is_receipt(invoice: Invoice) -> bool:
    """Paid: a receipt. Anything else still owed (or failed): an invoice."""
    return invoice.status == Invoice.Status.PAID


def _purchaser(invoice: Invoice) -> str:
    person = invoice.subscription.person
    profile = Profile.objects.filter(user=person).first()
    return (profile.full_name if profile else "") or person.get_full_name() or person.email


def supplier_context(
    *, organization: Organization, tax_day: dt.date, language: str
) -> dict[str, Any]:
    """What every receipt prints of its supplier (`billing/receipt_base.html`): the
    institution, its GST and QST numbers, and the labels of the rates of `tax_day`."""
    rates = {tax: tax_rate_on(tax=tax, day=tax_day) for tax in TaxRate.Tax}
    return {
        "language": language,
        "operator_name": settings.PARCAUTO_OPERATOR_NAME,
        "organization_name": organization.name,
        "colour": organization.primary_colour,
        "gst_number": organization.gst_number,
        "qst_number": organization.qst_number,
        "gst_label": _("GST (%(rate)s)") % {"rate": format_rate(rates[TaxRate.Tax.GST], language)},
        "qst_label": _("QST (%(rate)s)") % {"rate": format_rate(rates[TaxRate.Tax.QST], language)},
    }


def receipt_context(invoice: Invoice, language: str) -> dict[str, Any]:
    """What the receipt prints, in `language` (call it under translation.override)."""
    subscription = invoice.subscription
    organization = subscription.organization
    product = subscription.product
    money = {
        name: format_money(getattr(invoice, name), language)
        for name in ("pre_tax", "gst", "qst", "amount", "amount_paid")
    }
    receipt = is_receipt(invoice)
    paid_on = invoice.paid_at.astimezone(LOCAL_TZ).date() if invoice.paid_at else None
    title = _("Receipt no. %(number)s") if receipt else _("Invoice no. %(number)s")
    return {
        # The rates the invoice was split with (billing.taxes: those of its period).
        **supplier_context(
            organization=organization, tax_day=invoice.period_start, language=language
        ),
        "title": title % {"number": invoice.number},
        "is_receipt": receipt,
        "issued_on": long_date(paid_on or invoice.due_date),
        "purchaser": _purchaser(invoice),
        "purchaser_email": subscription.person.email,
        "contract_number": subscription.contract_number,
        "description": f"{product.number} - {product.name}",
        "lot": f"{subscription.lot.number} - {subscription.lot.name}",
        "period_start": long_date(invoice.period_start),
        "period_end": long_date(invoice.period_end),
        "due_on": long_date(invoice.due_date),
        "paid_on": long_date(paid_on),
        "status": invoice.get_status_display(),
        "payment_method": subscription.get_payment_method_display(),
        "money": money,
        "taxed": invoice.gst > 0 or invoice.qst > 0,
    }


def receipt_html(invoice: Invoice, language: str = "fr") -> str:
    if language not in RECEIPT_LANGUAGES:
        raise ValueError(f"a receipt is in French or English, not {language!r}")
    with translation.override(language), scope(organization=invoice.organization):
        return render_to_string("billing/receipt.html", receipt_context(invoice, language))


def receipt_pdf(invoice: Invoice, language: str = "fr") -> bytes:
    """The receipt or invoice in `language` as PDF bytes (the collection calendar's link)."""
    return render_pdf(receipt_html(invoice, language))


def receipt_filename(invoice: Invoice, language: str = "fr") -> str:
    receipt = is_receipt(invoice)
    if language == "en":
        stem = "receipt" if receipt else "invoice"
        return f"{stem}-{invoice.number}-en.pdf"
    return f"{'recu' if receipt else 'facture'}-{invoice.number}.pdf"
