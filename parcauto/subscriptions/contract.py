"""The contract as a PDF (French first; an English copy when the person chose English).

Rendered by WeasyPrint from `subscriptions/contract.html` on US Letter pages, with the
fonts shipped in `parcauto/static/fonts` and no network access: the only files the
renderer may open are those fonts. Rules 42 (French first, English on express choice)
and 50 (a printable copy of the contract is e-mailed).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from parcauto.accounts.models import Profile
from parcauto.accounts.normalizers import format_phone
from parcauto.catalog.models import PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.clock import now as clock_now
from parcauto.core.dates import format_date, format_datetime
from parcauto.core.money import GST_RATE, QST_RATE, format_money, format_rate, split_taxes
from parcauto.notifications.services import Attachment

from .models import Consent, Subscription

FONTS_DIR = Path(settings.BASE_DIR) / "parcauto" / "static" / "fonts"
# WeasyPrint logs every rendering step at INFO: keep the workers' logs readable.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
CONTRACT_LANGUAGES = ("fr", "en")
PDF_MIMETYPE = "application/pdf"


class RemoteFetchRefused(ValueError):
    """The contract asked for something other than a shipped font: never fetched."""


def _shipped_files_fetcher() -> Any:
    """A WeasyPrint URL fetcher that opens the shipped fonts and nothing else."""
    from weasyprint.urls import URLFetcher  # heavy import: only where PDFs are made

    fonts_dir = FONTS_DIR.resolve()

    class ShippedFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise RemoteFetchRefused(f"remote fetch refused: {url}")
            if not Path(unquote(parts.path)).resolve().is_relative_to(fonts_dir):
                raise RemoteFetchRefused(f"only the shipped fonts may be read: {url}")
            return super().fetch(url, headers)

    # fail_on_errors: a refused or missing file stops the rendering instead of quietly
    # giving a PDF in some other font or without an image.
    return ShippedFilesOnly(fail_on_errors=True, allowed_protocols={"file"})


def render_pdf(html: str) -> bytes:
    """HTML (with relative font URLs) to PDF bytes, offline."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(
        string=html,
        base_url=FONTS_DIR.resolve().as_uri() + "/",
        url_fetcher=_shipped_files_fetcher(),
    )
    pdf: bytes = document.write_pdf(font_config=font_config)
    return pdf


# --- what the contract says --------------------------------------------------------------


def long_date(value: dt.date | None) -> str:
    """`1er juin 2021` in French, `June 1, 2021` in English (the active language)."""
    return format_date(value)


def _local_datetime(value: dt.datetime) -> str:
    return format_datetime(value)


def _label(model: Any, field: str) -> str:
    return str(capfirst(model._meta.get_field(field).verbose_name))


def _phone(number: str, extension: str) -> str:
    try:
        shown = format_phone(number)
    except Exception:  # stored before normalisation: show it as typed
        shown = number
    if extension:
        shown = _("%(number)s, ext. %(extension)s") % {"number": shown, "extension": extension}
    return shown


def _person(subscription: Subscription) -> dict[str, Any]:
    person = subscription.person
    profile = Profile.objects.filter(user=person).first()
    if profile is None:  # the portal asks for the profile first; stay printable anyway
        return {"name": person.get_full_name(), "address": [], "email": person.email, "phones": []}
    street = profile.address_line1
    if profile.apartment:
        street = _("%(street)s, apt. %(apartment)s") % {
            "street": street,
            "apartment": profile.apartment,
        }
    city = f"{profile.city} ({profile.province})  {profile.postal_code}"
    phones = [
        (_label(Profile, field), _phone(getattr(profile, field), extension))
        for field, extension in (
            ("mobile_phone", ""),
            ("home_phone", profile.home_phone_ext),
            ("work_phone", profile.work_phone_ext),
        )
        if getattr(profile, field)
    ]
    return {
        "name": profile.full_name,
        "address": [line for line in (street, profile.address_line2, city) if line],
        "email": person.email,
        "phones": phones,
    }


def _extra_information(subscription: Subscription) -> list[tuple[str, str]]:
    fields = ("employee_number", "school", "internship_discipline")
    return [
        (_label(Subscription, field), getattr(subscription, field))
        for field in fields
        if getattr(subscription, field)
    ]


def _price(subscription: Subscription, language: str) -> dict[str, Any]:
    per: dict[str, str] = {
        PermitProduct.Billing.MONTHLY: _("per month"),
        PermitProduct.Billing.PER_TERM: _("per term"),
        PermitProduct.Billing.ONE_TIME: _("paid once"),
    }
    price: dict[str, Any] = {
        "total": format_money(subscription.price, language),
        "per": per.get(subscription.billing_frequency, ""),
        "taxable": subscription.taxable,
    }
    if subscription.taxable:
        split = split_taxes(subscription.price)
        price |= {
            "pre_tax": format_money(split.pre_tax, language),
            "gst": format_money(split.gst, language),
            "qst": format_money(split.qst, language),
            "gst_label": _("GST (%(rate)s)") % {"rate": format_rate(GST_RATE, language)},
            "qst_label": _("QST (%(rate)s)") % {"rate": format_rate(QST_RATE, language)},
        }
    return price


def _consents(subscription: Subscription) -> list[dict[str, Any]]:
    consents = Consent.objects.filter(subscription=subscription).select_related("legal_text")
    # The conditions themselves first, in the order the person met them.
    order = [kind.value for kind in Consent.Kind]
    rows = sorted(consents, key=lambda consent: order.index(consent.kind))
    return [
        {
            "label": consent.get_kind_display(),
            "accepted_at": _local_datetime(consent.accepted_at),
            "version": consent.legal_text.version if consent.legal_text else None,
            "text": consent.legal_text.body if consent.legal_text else "",
        }
        for consent in rows
    ]


def _issued_on(subscription: Subscription, now: dt.datetime | None) -> dt.date:
    moment = subscription.decided_at or subscription.submitted_at or now or clock_now()
    return moment.astimezone(LOCAL_TZ).date()


def contract_context(
    subscription: Subscription,
    language: str,
    *,
    now: dt.datetime | None = None,
    access_code_svg: str = "",
) -> dict[str, Any]:
    """Everything the contract prints, as text in `language` (call it under override).

    `access_code_svg`: the pass's QR code (inline SVG), printed only in the copy the
    holder downloads; the copy e-mailed at approval never has it, as the outbox keeps
    attachments as they are (and `access` sits above: the caller hands it in).
    """
    organization = subscription.organization
    lot, product = subscription.lot, subscription.product
    notice_days = product.cancellation_notice_days
    try:
        billing = str(PermitProduct.Billing(subscription.billing_frequency).label)
    except ValueError:
        billing = subscription.billing_frequency
    consents = _consents(subscription)
    return {
        "language": language,
        "english_copy": language == "en",
        "has_english_copy": subscription.language == "en",
        "operator_name": settings.PARCAUTO_OPERATOR_NAME,
        "organization_name": organization.name,
        "colour": organization.primary_colour,
        "gst_number": organization.gst_number,
        "qst_number": organization.qst_number,
        "contract_number": subscription.contract_number,
        "title": _("Subscription contract no. %(number)s")
        % {"number": subscription.contract_number},
        "issued_on": long_date(_issued_on(subscription, now)),
        "person": _person(subscription),
        "lot": {
            "number": lot.number,
            "name": lot.name,
            "address": f"{lot.address_line}, {lot.city} ({lot.province})  {lot.postal_code}",
        },
        "service": f"{product.number} - {product.name}",
        "category": subscription.category.name,
        "extra_information": _extra_information(subscription),
        "billing": billing,
        "price": _price(subscription, language),
        "start": long_date(subscription.start_date),
        "end": long_date(subscription.end_date) if subscription.end_date else _("Open-ended"),
        "vehicles": list(subscription.vehicles.order_by("created_at", "id")),
        "payment_method": subscription.get_payment_method_display(),
        "consents": consents,
        "legal_texts": [consent for consent in consents if consent["text"]],
        "notice": ngettext("%(days)s day", "%(days)s days", notice_days) % {"days": notice_days},
        "access_code_svg": access_code_svg,
    }


def contract_html(
    subscription: Subscription,
    language: str = "fr",
    *,
    now: dt.datetime | None = None,
    access_code_svg: str = "",
) -> str:
    if language not in CONTRACT_LANGUAGES:
        raise ValueError(f"a contract is in French or English, not {language!r}")
    if subscription.contract_number is None:
        raise ValueError("a draft has no contract yet")
    with translation.override(language), scope(organization=subscription.organization):
        context = contract_context(subscription, language, now=now, access_code_svg=access_code_svg)
        return render_to_string("subscriptions/contract.html", context)


def contract_pdf(
    subscription: Subscription,
    language: str = "fr",
    *,
    now: dt.datetime | None = None,
    access_code_svg: str = "",
) -> bytes:
    """The contract in `language` ("fr" or "en") as PDF bytes ("MON CONTRAT" download).

    `now` only dates a contract that was never submitted nor decided (a preview).
    """
    return render_pdf(
        contract_html(subscription, language, now=now, access_code_svg=access_code_svg)
    )


def contract_filename(subscription: Subscription, language: str = "fr") -> str:
    if language == "en":
        return f"contract-{subscription.contract_number}-en.pdf"
    return f"contrat-{subscription.contract_number}.pdf"


def contract_attachments(subscription: Subscription) -> list[Attachment]:
    """The French contract, then an English copy when the person chose English (rule 42)."""
    languages = ["fr", "en"] if subscription.language == "en" else ["fr"]
    return [
        Attachment(
            filename=contract_filename(subscription, language),
            content=contract_pdf(subscription, language),
            mimetype=PDF_MIMETYPE,
        )
        for language in languages
    ]
