"""Notices as numbers: the list as a CSV for Excel, and a chart of notices per lot and week.

The chart is plain SVG drawn here, as the revenue chart is (no JavaScript library,
nothing for the CSP to refuse): one bar per week, stacked by lot, the busiest lots in
their own colour and the others together in grey. The table under it gives every count
and is what screen readers use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcauto.core.clock import local_today
from parcauto.core.dates import format_date
from parcauto.core.i18n import active_language
from parcauto.enforcement.reports import NoticeWeeks, notices_per_lot_and_week
from parcauto.enforcement.selectors import notice_search

from ..enforcement_forms import NoticeWeeksForm
from ..excel import excel_amount, excel_csv, excel_moment, excel_text
from .base import StaffRequest, backoffice_view
from .notices import notice_filter_form, notice_organizations, notices_context

CSV_HEADERS = [
    "Numéro",
    "Établissement",
    "Stationnement",
    "Zone",
    "Plaque",
    "Province",
    "Constaté le",
    "Motif",
    "Agent",
    "État",
    "Émis le",
    "Échéance",
    "Avant taxes",
    "TPS",
    "TVQ",
    "Total",
    "Frais de retard",
    "Motif du dernier changement",
]


@require_GET
@backoffice_view
def notices_csv(request: StaffRequest) -> HttpResponse:
    """The list's notices, with the list's filters: every one, not one page."""
    form = notice_filter_form(request)
    found = notice_search(
        organizations=form.organizations(notice_organizations(request)), filters=form.filters()
    )
    response, writer = excel_csv(f"avis-de-reclamation-{local_today():%Y-%m-%d}.csv")
    writer.writerow(CSV_HEADERS)
    sums = [Decimal("0.00")] * 5
    count = 0
    with translation.override("fr"):  # reasons and states in French, as the headers
        for notice in found.iterator(chunk_size=1000):
            amounts = (notice.pre_tax, notice.gst, notice.qst, notice.total, notice.late_fee)
            sums = [total + amount for total, amount in zip(sums, amounts, strict=True)]
            count += 1
            writer.writerow(
                [
                    notice.number,
                    excel_text(notice.organization.name_fr),
                    excel_text(f"{notice.lot.number} - {notice.lot.name}"),
                    excel_text(notice.zone),
                    notice.plate,
                    notice.jurisdiction,
                    excel_moment(notice.observed_at),
                    notice.get_reason_display(),
                    excel_text(notice.agent.email),
                    notice.get_state_display(),
                    excel_moment(notice.issued_at),
                    notice.due_date.isoformat(),
                    *(excel_amount(amount) for amount in amounts),
                    excel_text(notice.state_reason),
                ]
            )
    writer.writerow(
        ["Total", f"{count} avis", *[""] * 10, *(excel_amount(total) for total in sums), ""]
    )
    return response


# --- The chart ------------------------------------------------------------------------------

# SVG user units (the drawing scales to the page's width).
CHART_WIDTH = 960
PLOT_HEIGHT = 240
AXIS_WIDTH = 48
TOP = 24
BOTTOM = 40
# Colour-blind friendly, each at least 3:1 against white (the gaps between segments).
PALETTE = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a", "#c62828", "#00695c"]
OTHERS_COLOUR = "#616161"


@dataclass(frozen=True)
class Segment:
    y: int
    height: int
    colour: str


@dataclass(frozen=True)
class Column:
    label: str  # the week's Monday, short
    title: str  # every lot's count, for a pointer hovering the bar
    total: int
    x: int
    width: int
    top: int
    segments: list[Segment]

    @property
    def centre(self) -> int:
        return self.x + self.width // 2


@dataclass(frozen=True)
class Tick:
    value: int
    y: int


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str


@dataclass(frozen=True)
class WeeksChart:
    columns: list[Column]
    ticks: list[Tick]
    legend: list[LegendEntry]
    width: int = CHART_WIDTH
    height: int = TOP + PLOT_HEIGHT + BOTTOM
    axis_x: int = AXIS_WIDTH
    baseline: int = TOP + PLOT_HEIGHT
    label_y: int = TOP + PLOT_HEIGHT + 24


def _scale_top(largest: int) -> int:
    """A round top for the scale, at or above `largest` (1, 2, 5, 10, 20, 50...)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= largest:
                return step * factor
        step *= 10


def weeks_chart(found: NoticeWeeks, *, several_institutions: bool) -> WeeksChart:
    def name(index: int) -> str:
        lot = found.lots[index]
        return f"{lot.organization} · {lot.lot}" if several_institutions else lot.lot

    own_colours = len(PALETTE) if len(found.lots) > len(PALETTE) + 1 else len(found.lots)
    legend = [LegendEntry(name(i), PALETTE[i]) for i in range(own_colours)]
    if own_colours < len(found.lots):
        legend.append(LegendEntry(_("Other lots"), OTHERS_COLOUR))
    top = _scale_top(max([*found.week_totals, 1]))
    slot = (CHART_WIDTH - AXIS_WIDTH) // max(len(found.weeks), 1)
    width = max(slot * 6 // 10, 4)
    columns = []
    for w, monday in enumerate(found.weeks):
        counts = [lot.counts[w] for lot in found.lots]
        stack = [*counts[:own_colours], sum(counts[own_colours:])]
        colours = [*PALETTE[:own_colours], OTHERS_COLOUR]
        segments, y = [], TOP + PLOT_HEIGHT
        for count, colour in zip(stack, colours, strict=True):
            if count:
                height = max(round(count * PLOT_HEIGHT / top), 1)
                y -= height
                segments.append(Segment(y=y, height=height, colour=colour))
        parts = [
            _("%(lot)s: %(count)s") % {"lot": name(i), "count": count}
            for i, count in enumerate(counts)
            if count
        ]
        columns.append(
            Column(
                label=date_format(monday, "j N"),
                title="; ".join([_("Week of %(day)s") % {"day": format_date(monday)}, *parts]),
                total=sum(counts),
                x=AXIS_WIDTH + w * slot + (slot - width) // 2,
                width=width,
                top=y,
                segments=segments,
            )
        )
    values = [0, top // 2, top] if top % 2 == 0 else [0, top]  # whole numbers only
    ticks = [Tick(value=v, y=TOP + PLOT_HEIGHT - round(v * PLOT_HEIGHT / top)) for v in values]
    return WeeksChart(columns=columns, ticks=ticks, legend=legend)


@require_GET
@backoffice_view
def notices_weekly(request: StaffRequest) -> HttpResponse:
    visible = notice_organizations(request)
    form = NoticeWeeksForm(request.GET, organizations=visible, today=local_today())
    context = notices_context(request, form=form)
    if form.is_valid():
        first: dt.date = form.cleaned_data["first_day"]
        last: dt.date = form.cleaned_data["last_day"]
        found = notices_per_lot_and_week(
            organizations=form.organizations(visible),
            first_day=first,
            last_day=last,
            language=active_language(),
        )
        context["weeks"] = found
        context["chart"] = weeks_chart(found, several_institutions=context["several_institutions"])
    return render(request, "backoffice/notices/weekly.html", context)
