"""CSV files for Quebec's Excel: every export of the back office writes them this way.

Excel opens a double-clicked file with the regional settings of a French Windows: `;`
between columns, a comma before the cents, no currency sign nor thousands separator (so
every amount stays a number), UTF-8 with a byte-order mark (without it Excel reads
"Établissement" as Windows-1252), CRLF line ends, French headers and names whatever the
page's language. A text that would start a formula is prefixed with an apostrophe (CSV
injection); dates are ISO (`2026-06-01 10:00`, Quebec time), which Excel reads as dates.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from parcauto.core.clock import LOCAL_TZ

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_csv(filename: str) -> tuple[HttpResponse, Any]:
    """A download named `filename` (ASCII, chosen by the caller) and its CSV writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=";", lineterminator="\r\n")


def excel_text(text: str) -> str:
    """A text Excel must not run as a formula (`=`, `+`, `-`, `@` first): quoted out."""
    return f"'{text}" if text[:1] in _FORMULA_STARTS else text


def excel_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def excel_moment(moment: dt.datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""
