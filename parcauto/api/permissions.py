from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from parcauto.access.models import Device


class IsDevice(BasePermission):
    """A registered device's key was given (else 401 missing_key / invalid_key)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Device)
