"""The printed claim notice (PDF): a letter page, or an 80 mm strip for a mobile printer.

Rendered like the contract and receipts (`subscriptions.contract.render_pdf`: shipped
fonts, no network). The QR code (segno, `access.qr`) opens the public payment page with
the number filled in: `https://<portal host>/avis-de-reclamation/?numero=<number>`. That
path is printed on paper left on cars, so it is a constant here, not a reversed URL:
it must keep answering whatever the portal's URLs become.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from parcauto.access.qr import qr_svg
from parcauto.core.dates import format_date, format_datetime
from parcauto.core.money import format_money
from parcauto.subscriptions.contract import render_pdf
from parcauto.tenants.links import portal_absolute_path

from .models import ClaimNotice

NOTICE_PAYMENT_PATH = "/avis-de-reclamation/"
Layout = Literal["letter", "roll"]
LAYOUTS: tuple[Layout, ...] = ("letter", "roll")
NOTICE_LANGUAGES = ("fr", "en")


def notice_payment_url(notice: ClaimNotice) -> str:
    """The public page that shows and takes payment of this notice, its number filled in."""
    query = urlencode({"numero": notice.number})
    return f"{portal_absolute_path(notice.organization, NOTICE_PAYMENT_PATH)}?{query}"


def notice_payment_path(notice: ClaimNotice) -> str:
    """The same page as a link on the notice's own portal (\"Mes avis\")."""
    return f"{NOTICE_PAYMENT_PATH}?{urlencode({'numero': notice.number})}"


def notice_context(notice: ClaimNotice, language: str) -> dict[str, Any]:
    """What the notice prints, in `language` (call it under translation.override)."""
    organization = notice.organization
    lot = notice.lot
    url = notice_payment_url(notice)
    agent = notice.agent
    return {
        "language": language,
        "title": _("Claim notice no. %(number)s") % {"number": notice.number},
        "operator_name": settings.PARCAUTO_OPERATOR_NAME,
        "organization_name": organization.name,
        "colour": organization.primary_colour,
        "service_centre_phone": organization.service_centre_phone,
        "number": notice.number,
        "observed_at": format_datetime(notice.observed_at),
        "lot": f"{lot.number} - {lot.name}",
        "lot_address": f"{lot.address_line}, {lot.city}",
        "zone": notice.zone,
        "plate": notice.plate,
        "jurisdiction": notice.jurisdiction,
        "vehicle": " · ".join(v for v in (notice.vehicle_make, notice.vehicle_colour) if v),
        "reason": notice.get_reason_display(),
        "agent": _("Agent no. %(number)s") % {"number": agent.pk},
        "taxed": notice.gst > 0 or notice.qst > 0,
        "money": {
            name: format_money(getattr(notice, name), language)
            for name in ("pre_tax", "gst", "qst", "total", "late_fee")
        },
        "with_late_fee": notice.late_fee > 0,
        "late_total": format_money(notice.total + notice.late_fee, language),
        "due_on": format_date(notice.due_date),
        "gst_number": organization.gst_number,
        "qst_number": organization.qst_number,
        "payment_url": url,
        "qr_svg": qr_svg(url, title=_("QR code of the payment page of this notice")),
    }


def notice_html(notice: ClaimNotice, *, layout: Layout = "letter", language: str = "fr") -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"a notice prints as letter or roll, not {layout!r}")
    if language not in NOTICE_LANGUAGES:
        raise ValueError(f"a notice is in French or English, not {language!r}")
    with translation.override(language), scope(organization=notice.organization_id):
        context = notice_context(notice, language) | {"layout": layout}
        return render_to_string("enforcement/notice.html", context)


def notice_pdf(notice: ClaimNotice, *, layout: Layout = "letter", language: str = "fr") -> bytes:
    """The printable notice as PDF bytes: `letter` (US Letter) or `roll` (80 mm wide)."""
    return render_pdf(notice_html(notice, layout=layout, language=language))


def notice_filename(notice: ClaimNotice, *, layout: Layout = "letter") -> str:
    suffix = "-80mm" if layout == "roll" else ""
    return f"avis-{notice.number}{suffix}.pdf"
