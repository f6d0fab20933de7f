from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def organization(request: HttpRequest) -> dict[str, Any]:
    return {
        "organization": getattr(request, "organization", None),
        "operator_name": settings.PARCAUTO_OPERATOR_NAME,
    }
