"""Create or update one row from a natural key, validated, writing only when it differs."""

from __future__ import annotations

from typing import Any

from django.db import models


def upsert[M: models.Model](model: type[M], *, lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Like update_or_create, but a row that already matches is left untouched.

    A second run of the demo loader then writes nothing at all (updated_at included),
    and every row goes through full_clean, so the demo data obeys the model rules.
    """
    values = {name: value for name, value in values.items() if name not in lookup}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    else:
        for name, value in values.items():
            setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj
