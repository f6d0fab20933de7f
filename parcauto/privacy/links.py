"""The signed link of a "Mes données" download: which download, for which person, when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing

from .models import DataExport

_SALT = "parcauto.privacy.export"


def data_export_token(export: DataExport) -> str:
    return signing.dumps({"export": export.pk, "person": export.person_id}, salt=_SALT)


def data_export_token_read(token: str, *, max_age: dt.timedelta) -> dict[str, Any] | None:
    """The link's payload, or None when it is forged or older than `max_age`."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return payload if isinstance(payload, dict) else None
