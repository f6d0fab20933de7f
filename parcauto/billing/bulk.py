"""Many rows in one go: COPY on PostgreSQL, `bulk_create` elsewhere.

The billing run inserts an invoice and an attempt per contract, 2,000 at a time. Django's
`bulk_create` prepares every value of every row through its field machinery and sends
one statement with 40,000 placeholders; COPY streams the rows as they are. The rows go
to a temporary table first, then into the real one with one INSERT ... SELECT, so the
unique constraints decide as usual (ON CONFLICT DO NOTHING when asked, IntegrityError
otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert `rows` (values in `fields` order, as Python values) into `model`'s table."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            ignore_conflicts=ignore_conflicts,
        )
        return
    # Django's defaults live in Python, not in the table: add those of the other fields.
    defaults = {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in fields
    }
    fields = [*fields, *defaults]
    extra = tuple(defaults.values())
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"staging_{model._meta.db_table}")
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name] or name) for name in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with transaction.atomic(), connection.cursor() as cursor:
        # Same column types as the table, no constraints; gone at the end of the transaction.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608 - names only
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}{conflict}"  # noqa: S608
        )
        cursor.execute(f"TRUNCATE {staging}")
