"""Card gateways: one interface (`base.Gateway`), Moneris and the local sandbox behind it."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway


def get_gateway() -> Gateway:
    """The gateway named by `settings.PAYMENTS_GATEWAY` (a dotted path to a factory)."""
    factory = import_string(settings.PAYMENTS_GATEWAY)
    gateway: Gateway = factory()
    return gateway
