"""Sequential numbers that stay unique under concurrent transactions."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Counter


def sequence_next(*, name: str, start: int) -> int:
    """The next number of `name` (the first one is `start`).

    Call it inside the transaction that uses the number: the UPDATE locks the counter
    row until commit (PostgreSQL row lock; SQLite's write lock), so two transactions
    can never read the same value. A rolled-back transaction leaves a gap, which is fine.
    """
    with transaction.atomic():
        if not Counter.objects.filter(name=name).update(last_value=F("last_value") + 1):
            try:
                with transaction.atomic():
                    Counter.objects.create(name=name, last_value=start)
                    return start
            except IntegrityError:  # another transaction created it first
                Counter.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return Counter.objects.values_list("last_value", flat=True).get(name=name)
