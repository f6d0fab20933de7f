"""The bank's returned-debit report: its format, read whole or refused.

UTF-8 CSV with this header line:

    cross_reference,amount,reason_code
    PAD100000042-1,23.08,901

`cross_reference` is the file's (the attempt's order id), `amount` the debit in dollars
with a dot, `reason_code` the bank's CPA return reason (901 NSF, 905 account closed...).
Applying it to invoices is billing's (`billing.services.collect_pad.pad_returns_import`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from parcauto.core.params import ascii_digits

from .errors import CollectionError

RETURNS_COLUMNS = ("cross_reference", "amount", "reason_code")
# The common CPA return reasons, kept with the attempt for the follow-up.
RETURN_REASONS = {
    "900": "Edit reject",
    "901": "NSF (debit only)",
    "902": "Account not found",
    "903": "Payment stopped/recalled",
    "904": "Post/stale dated",
    "905": "Account closed",
    "907": "No debit allowed",
    "908": "Funds not cleared",
    "909": "Currency/account mismatch",
    "910": "Payor/payee deceased",
    "911": "Account frozen",
    "912": "Invalid/incorrect account number",
    "914": "Incorrect payor/payee name",
    "915": "Refused by payor/payee",
    "916": "Not in accordance with agreement - personal",
    "917": "Agreement revoked - personal",
    "918": "No confirmation/pre-notification - personal",
    "919": "Not in accordance with agreement - business",
    "920": "Agreement revoked - business",
    "921": "No confirmation/pre-notification - business",
}


@dataclass(frozen=True)
class PadReturn:
    """One line of the bank's returned-debit report."""

    line: int
    cross_reference: str
    amount: Decimal
    reason_code: str


def pad_returns_parse(content: str) -> list[PadReturn]:
    """The report's lines; CollectionError naming the unreadable lines (all or nothing)."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != RETURNS_COLUMNS:
        raise CollectionError(
            _("The first line must be %(header)s.") % {"header": ",".join(RETURNS_COLUMNS)},
            code="returns_header",
        )
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        try:
            amount = Decimal(row["amount"].strip())
        except (InvalidOperation, AttributeError):
            problems.append(line)
            continue
        reference, reason = (
            (row["cross_reference"] or "").strip(),
            (row["reason_code"] or "").strip(),
        )
        # The bank's file is typed by nobody we know: "NaN" and "²" parse, then raise.
        readable = reference.isascii() and reference.isprintable() and ascii_digits(reason)
        if not reference or not readable or not amount.is_finite() or amount <= 0:
            problems.append(line)
            continue
        rows.append(PadReturn(line, reference, amount, reason))
    if problems:
        raise CollectionError(
            _("These lines cannot be read: %(lines)s.") % {"lines": ", ".join(map(str, problems))},
            code="returns_unreadable",
        )
    return rows
