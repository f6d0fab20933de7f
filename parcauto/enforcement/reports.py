"""What the operator reads about notices as numbers: money collected and notices per week.

Read-only, narrowed to the institutions given (as `billing.reports`). A paid notice
counts on the Quebec day it was paid: `state_changed_at`, since a paid notice never
changes again (`services.transitions`). What it brought is its total, plus its late fee
when it was paid after its due date, as `services.pricing.notice_amount_due` charged it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate

from parcauto.core.clock import LOCAL_TZ
from parcauto.tenants.models import Organization

from .models import ClaimNotice
from .selectors import on_local_days

_ZERO = Decimal("0.00")


def _name(row: dict[str, object], prefix: str, language: str) -> str:
    """A name in `language`: French when there is no English one."""
    french, other = str(row[f"{prefix}_fr"]), str(row[f"{prefix}_en"] or "")
    return other if language == "en" and other else french


def _decimal(value: object) -> Decimal:
    # SQLite hands sums back with more places than the column: two places always.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# --- Paid notices by month ------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRevenueRow:
    """The notices of one institution paid in one month."""

    organization_id: int
    organization: str
    month: dt.date  # its first day
    notices: int
    pre_tax: Decimal
    gst: Decimal
    qst: Decimal
    late_fees: Decimal

    @property
    def total(self) -> Decimal:
        return self.pre_tax + self.gst + self.qst + self.late_fees


@dataclass(frozen=True)
class NoticeRevenue:
    rows: list[NoticeRevenueRow] = field(default_factory=list)

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), _ZERO)

    @property
    def notices(self) -> int:
        return sum(r.notices for r in self.rows)

    @property
    def pre_tax(self) -> Decimal:
        return self._sum("pre_tax")

    @property
    def gst(self) -> Decimal:
        return self._sum("gst")

    @property
    def qst(self) -> Decimal:
        return self._sum("qst")

    @property
    def late_fees(self) -> Decimal:
        return self._sum("late_fees")

    @property
    def total(self) -> Decimal:
        return self._sum("total")


def notice_revenue_by_month(
    *,
    organizations: QuerySet[Organization],
    first_day: dt.date,
    last_day: dt.date,
    language: str,
) -> NoticeRevenue:
    """Notices paid from `first_day` to `last_day` (Quebec days), summed per institution
    and month: taxes as fixed at issue, late fees apart (they carry no tax).

    One grouped query over the paid days; the months are gathered here, the same way on
    SQLite and PostgreSQL.
    """
    paid_day = TruncDate("state_changed_at", tzinfo=LOCAL_TZ)
    grouped = (
        ClaimNotice.objects.filter(
            on_local_days("state_changed_at", first_day, last_day),
            organization__in=organizations,
            state=ClaimNotice.State.PAID,
        )
        .annotate(
            paid_day=paid_day,
            fee_paid=Case(
                When(paid_day__gt=F("due_date"), then=F("late_fee")),
                default=Value(_ZERO),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            ),
        )
        .values("organization", "organization__name_fr", "organization__name_en", "paid_day")
        .annotate(
            n=Count("pk"),
            pre_tax_sum=Sum("pre_tax"),
            gst_sum=Sum("gst"),
            qst_sum=Sum("qst"),
            fee_sum=Sum("fee_paid"),
        )
        .order_by()
    )
    names: dict[int, str] = {}
    sums: dict[tuple[int, dt.date], list[Decimal]] = defaultdict(lambda: [_ZERO] * 5)
    for row in grouped:
        organization_id = int(row["organization"])
        names[organization_id] = _name(row, "organization__name", language)
        day: dt.date = row["paid_day"]
        entry = sums[(organization_id, day.replace(day=1))]
        for index, name in enumerate(("n", "pre_tax_sum", "gst_sum", "qst_sum", "fee_sum")):
            entry[index] += Decimal(row[name] or 0)
    rows = [
        NoticeRevenueRow(
            organization_id=organization_id,
            organization=names[organization_id],
            month=month,
            notices=int(entry[0]),
            pre_tax=_decimal(entry[1]),
            gst=_decimal(entry[2]),
            qst=_decimal(entry[3]),
            late_fees=_decimal(entry[4]),
        )
        for (organization_id, month), entry in sums.items()
    ]
    rows.sort(key=lambda r: (r.organization, r.month))
    return NoticeRevenue(rows=rows)


# --- Notices per lot and week ----------------------------------------------------------------


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class LotWeeks:
    """One lot's notices, week by week (in the order of `NoticeWeeks.weeks`)."""

    organization: str
    lot: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class NoticeWeeks:
    weeks: list[dt.date]  # Mondays, oldest first
    lots: list[LotWeeks]

    @property
    def week_totals(self) -> list[int]:
        return [sum(lot.counts[i] for lot in self.lots) for i in range(len(self.weeks))]

    @property
    def total(self) -> int:
        return sum(lot.total for lot in self.lots)


def notices_per_lot_and_week(
    *,
    organizations: QuerySet[Organization],
    first_day: dt.date,
    last_day: dt.date,
    language: str,
) -> NoticeWeeks:
    """Notices issued from `first_day` to `last_day` (Quebec days, whatever became of
    them), counted per lot and week (Monday to Sunday); the most noticed lots first.

    Every week of the range is listed, an empty one too: a quiet week is news as well.
    Lots without any notice in the range are left out.
    """
    weeks: list[dt.date] = []
    monday = week_of(first_day)
    while monday <= last_day:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    position = {week: index for index, week in enumerate(weeks)}
    grouped = (
        ClaimNotice.objects.filter(
            on_local_days("issued_at", first_day, last_day), organization__in=organizations
        )
        .annotate(day=TruncDate("issued_at", tzinfo=LOCAL_TZ))
        .values(
            "lot",
            "lot__number",
            "lot__name",
            "organization__name_fr",
            "organization__name_en",
            "day",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    lots: dict[int, LotWeeks] = {}
    for row in grouped:
        lot = lots.get(row["lot"])
        if lot is None:
            lot = lots[row["lot"]] = LotWeeks(
                organization=_name(row, "organization__name", language),
                lot=f"{row['lot__number']} - {row['lot__name']}",
                counts=[0] * len(weeks),
            )
        lot.counts[position[week_of(row["day"])]] += int(row["n"])
    ordered = sorted(lots.values(), key=lambda lot: (-lot.total, lot.organization, lot.lot))
    return NoticeWeeks(weeks=weeks, lots=ordered)
