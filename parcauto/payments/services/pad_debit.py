"""A bank account as a debit of a CPA-005 file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import cpa005, crypto
from ..models import PaymentMethod


def pad_debit(
    *, method: PaymentMethod, amount: Decimal, order_id: str, due_on: dt.date
) -> cpa005.Debit:
    """The file's debit for a bank account; Cpa005Error (naming the field) if it cannot be.

    The account number is decrypted here, in memory, for the file only.
    """
    return cpa005.Debit(
        amount=amount,
        due_on=due_on,
        institution=method.bank_institution,
        transit=method.bank_transit,
        account=crypto.bank_account_decrypt(method.bank_account_encrypted),
        payor_name=method.holder_name,
        cross_reference=order_id,
    )
