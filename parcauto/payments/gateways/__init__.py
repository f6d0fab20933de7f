"""Card gateways: one interface (`base.Gateway`), Moneris and the local sandbox behind it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway


def gateway_factory() -> Callable[[], Gateway]:
    """The factory `settings.PAYMENTS_GATEWAY` names (a dotted path); ImportError if none."""
    # The factory may be a class method ("...sandbox.SandboxGateway.from_settings"),
    # one attribute deeper than import_string reaches.
    owner, _, attribute = settings.PAYMENTS_GATEWAY.rpartition(".")
    try:
        factory: Callable[[], Gateway] = import_string(settings.PAYMENTS_GATEWAY)
    except ImportError:
        try:
            factory = getattr(import_string(owner), attribute)
        except AttributeError:
            raise ImportError(f"{owner} has no attribute {attribute}") from None
    return factory


def get_gateway() -> Gateway:
    """The gateway named by `settings.PAYMENTS_GATEWAY` (a dotted path to a factory)."""
    return gateway_factory()()
