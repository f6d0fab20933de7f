"""Devices authenticate with `Authorization: Bearer <key_id>.<secret>`, on any host.

The key, not the host, names the institution: `views.base.DeviceView` enters the
device's institution's scope once the key is checked, for the rest of the request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from parcauto.access.devices import DeviceError, device_authenticate
from parcauto.access.models import Device
from parcauto.core.clock import now

from .errors import domain_error

REALM = 'Bearer realm="parcauto"'


class DeviceKeyAuthentication(BaseAuthentication):
    """`request.auth` is the Device; `request.user` stays anonymous (no person)."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Device] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None  # then NotAuthenticated: missing_key
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise exceptions.AuthenticationFailed
        try:
            device = device_authenticate(key=key.strip(), now=now())
        except DeviceError as refused:
            raise domain_error(refused) from None
        return AnonymousUser(), device

    def authenticate_header(self, request: Request) -> str:
        return REALM


class DeviceKeyScheme(OpenApiAuthenticationExtension):
    """The key as the OpenAPI schema describes it."""

    target_class = DeviceKeyAuthentication
    name = "deviceKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<key_id>.<secret>",
            "description": "A device's API key, shown once to the manager who registered it.",
        }
