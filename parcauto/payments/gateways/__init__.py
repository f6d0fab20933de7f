"""Card gateways: one interface (`base.Gateway`), Moneris and the local sandbox behind it."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway


def get_gateway() -> Gateway:
    """The gateway named by `settings.PAYMENTS_GATEWAY` (a dotted path to a factory)."""
    # The factory may be a class method ("...sandbox.SandboxGateway.from_settings"),
    # one attribute deeper than import_string reaches.
    owner, _, attribute = settings.PAYMENTS_GATEWAY.rpartition(".")
    try:
        factory = import_string(settings.PAYMENTS_GATEWAY)
    except ImportError:
        factory = getattr(import_string(owner), attribute)
    gateway: Gateway = factory()
    return gateway
