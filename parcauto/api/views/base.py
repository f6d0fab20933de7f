"""What every device endpoint shares: the key's institution as scope, the caller's language."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django_scopes import scope
from rest_framework.request import Request
from rest_framework.views import APIView

from parcauto.access.models import Device

from ..languages import request_language


class DeviceView(APIView):
    """An endpoint for devices (authentication, permission and throttle: settings).

    Whatever the host (a portal's, the operator's), the request works in the device's
    institution once its key is checked, until its answer is made: another institution's
    lots and grants do not exist for it. Messages follow its Accept-Language.
    """

    _stack: ExitStack

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with ExitStack() as stack:
            stack.enter_context(request_language(request))
            self._stack = stack
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if isinstance(request.auth, Device):
            self._stack.enter_context(scope(organization=request.auth.organization_id))

    @property
    def device(self) -> Device:
        device = self.request.auth
        assert isinstance(device, Device)  # noqa: S101 - IsDevice let the request in
        return device
