"""A model's row written with `INSERT ... ON CONFLICT DO NOTHING RETURNING id`.

For the hot paths' idempotent writes (a gate's decision per nonce, a camera's check per
read id): one statement, no transaction or savepoint, and a retry in flight finds the
row the first request wrote instead of an IntegrityError. Built once per model from its
concrete fields, values prepared as the ORM's INSERT prepares them (`pre_save`, then
`get_db_prep_save`: auto-now times, JSON, decimals), on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, models


@dataclass(frozen=True)
class InsertUnlessStored:
    fields: list[Any]  # the model's concrete fields but its primary key
    sql: str

    @classmethod
    def of(cls, model: type[models.Model], *, conflict: str) -> InsertUnlessStored:
        """`conflict`: the unique index's columns, and its condition if partial, as
        `ON CONFLICT` names them: `(device_id, nonce)`."""
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = ", ".join(str(field.column) for field in fields)
        sql = (
            f"INSERT INTO {model._meta.db_table} ({columns}) "  # noqa: S608 - no input
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT {conflict} DO NOTHING RETURNING id"
        )
        return cls(fields, sql)

    def write(self, instance: models.Model) -> bool:
        """Write `instance` (its id set on it); False when its unique key is stored
        already, and nothing is written."""
        values = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self.fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            row = cursor.fetchone()
        if row is None:
            return False
        instance.pk = row[0]
        instance._state.adding = False
        return True
