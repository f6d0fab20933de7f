"""Revenue by institution, lot and product: a table, a bar chart drawn on the server, a CSV.

The chart is plain SVG built here (no JavaScript library, nothing for the CSP to
refuse); the table under it says the same thing and is what screen readers use.

The CSV is for Quebec's Excel (`backoffice.excel`), with a last "Total" line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parcauto.billing.reports import Revenue, RevenueRow, revenue_by_lot_and_product
from parcauto.core.clock import local_today
from parcauto.core.i18n import active_language
from parcauto.core.money import format_money
from parcauto.enforcement.reports import NoticeRevenue, notice_revenue_by_month

from ..excel import excel_amount, excel_csv, excel_text
from ..forms import RevenueFilterForm
from .base import StaffRequest, backoffice_view, staff_organizations
from .billing import billing_context

CSV_HEADERS = [
    "Établissement",
    "Stationnement",
    "Permis",
    "Factures payées",
    "Avant taxes",
    "TPS",
    "TVQ",
    "Total",
]

# Chart geometry, in SVG user units (the drawing scales to the page's width).
CHART_WIDTH = 960
LABEL_WIDTH = 380
BAR_AREA = 440
ROW_HEIGHT = 32
BAR_HEIGHT = 22
TOP = 8
LABEL_CHARACTERS = 52


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 8


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * len(self.bars)

    width = CHART_WIDTH
    label_x = LABEL_WIDTH - 10
    bar_x = LABEL_WIDTH
    bar_height = BAR_HEIGHT


def _language() -> str:
    return active_language()


def _row_label(row: RevenueRow, with_institution: bool) -> str:
    parts = [row.organization] if with_institution else []
    return " · ".join([*parts, row.lot, row.product])


def revenue_chart(revenue: Revenue, *, with_institution: bool, language: str) -> Chart:
    """One horizontal bar per row, its length in proportion to the row's total."""
    largest = max((row.total for row in revenue.rows), default=Decimal(0))
    bars = []
    for index, row in enumerate(revenue.rows):
        label = _row_label(row, with_institution)
        short = label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
        width = int(row.total / largest * BAR_AREA) if largest > 0 else 0
        bars.append(
            Bar(
                label=label,
                short_label=short,
                value=format_money(row.total, language),
                y=TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
                width=max(width, 1),  # a row with a tiny total still shows a mark
            )
        )
    return Chart(bars=bars)


def _form(request: StaffRequest) -> RevenueFilterForm:
    return RevenueFilterForm(
        request.GET, organizations=staff_organizations(request), today=local_today()
    )


def _revenue(request: StaffRequest, form: RevenueFilterForm, language: str) -> Revenue:
    if not form.is_valid():
        return Revenue()
    return revenue_by_lot_and_product(
        organizations=form.organizations(staff_organizations(request)),
        first_day=form.cleaned_data["first_day"],
        last_day=form.cleaned_data["last_day"],
        language=language,
    )


def _notice_revenue(request: StaffRequest, form: RevenueFilterForm, language: str) -> NoticeRevenue:
    if not form.is_valid():
        return NoticeRevenue()
    return notice_revenue_by_month(
        organizations=form.organizations(staff_organizations(request)),
        first_day=form.cleaned_data["first_day"],
        last_day=form.cleaned_data["last_day"],
        language=language,
    )


@require_GET
@backoffice_view
def revenue(request: StaffRequest) -> HttpResponse:
    """Permits (paid invoices) and, beside them, claim notices paid month by month."""
    form = _form(request)
    language = _language()
    found = _revenue(request, form, language)
    notices = _notice_revenue(request, form, language)
    context = billing_context(
        request,
        form=form,
        revenue=found,
        notice_revenue=notices,
        grand_total=found.total + notices.total,
    )
    context["chart"] = revenue_chart(
        found, with_institution=context["several_institutions"], language=language
    )
    return render(request, "backoffice/billing/revenue.html", context)


@require_GET
@backoffice_view
def revenue_csv(request: StaffRequest) -> HttpResponse:
    form = _form(request)
    found = _revenue(request, form, "fr")
    first: dt.date = form.cleaned_data.get("first_day") or local_today()
    last: dt.date = form.cleaned_data.get("last_day") or first
    response, writer = excel_csv(f"revenus-{first:%Y-%m-%d}-au-{last:%Y-%m-%d}.csv")
    writer.writerow(CSV_HEADERS)
    for row in found.rows:
        writer.writerow(
            [
                excel_text(row.organization),
                excel_text(row.lot),
                excel_text(row.product),
                row.invoices,
                *(excel_amount(a) for a in (row.pre_tax, row.gst, row.qst, row.total)),
            ]
        )
    writer.writerow(
        [
            "Total",
            "",
            "",
            found.invoices,
            *(excel_amount(a) for a in (found.pre_tax, found.gst, found.qst, found.total)),
        ]
    )
    return response
