"""Sequential numbers that stay unique under concurrent transactions."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from .models import Counter

_ADVANCE = (
    f"UPDATE {Counter._meta.db_table} SET last_value = last_value + %s "  # noqa: S608 - no input
    "WHERE name = %s RETURNING last_value"
)


def _advance(name: str, count: int = 1) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_ADVANCE, [count, name])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def sequence_next(*, name: str, start: int) -> int:
    """The next number of `name` (the first one is `start`), in one statement.

    Call it inside the transaction that uses the number, as late as possible: the UPDATE
    locks the counter row until commit (PostgreSQL row lock; SQLite's write lock), so two
    transactions never get the same value. A rolled-back transaction leaves a gap.
    Inside the caller's transaction it adds no savepoint: two round trips fewer while the
    counter row (and the caller's own hot rows) are locked.
    """
    with transaction.atomic(savepoint=False):  # no savepoint inside the caller's
        number = _advance(name)
        if number is not None:
            return number
        try:
            with transaction.atomic():
                Counter.objects.create(name=name, last_value=start)
                return start
        except IntegrityError:  # another transaction created it first
            number = _advance(name)
            assert number is not None  # noqa: S101 - the row exists now
            return number


def sequence_reserve(*, name: str, count: int, start: int) -> range:
    """`count` consecutive numbers of `name` in one statement (a batch of invoices).

    Same locking as `sequence_next`: call it in the transaction that uses the numbers.
    """
    if count < 1:
        raise ValueError(f"reserve at least one number, not {count}")
    with transaction.atomic(savepoint=False):  # no savepoint inside the caller's
        last = _advance(name, count)
        if last is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(name=name, last_value=start + count - 1)
                    return range(start, start + count)
            except IntegrityError:  # another transaction created it first
                last = _advance(name, count)
                assert last is not None  # noqa: S101 - the row exists now
        return range(last - count + 1, last + 1)
