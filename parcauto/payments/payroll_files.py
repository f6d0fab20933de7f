"""The employer's payroll deduction file: pay periods and the CSV its pay office reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

PAYROLL_COLUMNS = (
    "numero_employe",
    "nom",
    "numero_contrat",
    "montant",
    "tps",
    "tvq",
    "periode",
)
PAY_PERIOD_DAYS = 14  # 26 pay periods a year


def pay_period(*, anchor: dt.date, day: dt.date) -> tuple[dt.date, dt.date]:
    """The 14-day pay period holding `day`, first and last days, counted from `anchor`."""
    start = anchor + dt.timedelta(days=(day - anchor).days // PAY_PERIOD_DAYS * PAY_PERIOD_DAYS)
    return start, start + dt.timedelta(days=PAY_PERIOD_DAYS - 1)


@dataclass(frozen=True)
class PayrollLine:
    employee_number: str
    name: str
    contract_number: int | None
    amount: Decimal
    gst: Decimal
    qst: Decimal


def payroll_csv(lines: Iterable[PayrollLine], *, start: dt.date, end: dt.date) -> bytes:
    """Columns PAYROLL_COLUMNS (French headers, for the institution's pay office):
    employee number, name, contract number, amount taxes included, GST, QST, period
    ("YYYY-MM-DD/YYYY-MM-DD")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PAYROLL_COLUMNS)
    period = f"{start.isoformat()}/{end.isoformat()}"
    writer.writerows(
        [
            line.employee_number,
            line.name,
            str(line.contract_number or ""),
            str(line.amount),
            str(line.gst),
            str(line.qst),
            period,
        ]
        for line in lines
    )
    return buffer.getvalue().encode("utf-8")
