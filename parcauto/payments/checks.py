"""System checks of the payments (ids parcauto.E010-E019, W010-W019; see core.checks).

Outside DEBUG the card gateway must be a real one with its credentials (or the sandbox,
allowed on purpose for a staging site), and bank account numbers need their keys.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks

from .gateways import gateway_factory
from .gateways.moneris import MonerisGateway
from .gateways.sandbox import SandboxGateway

MONERIS_TEST_HOST = "esqa.moneris.com"
_MONERIS_SETTINGS = ("MONERIS_STORE_ID", "MONERIS_API_TOKEN", "MONERIS_HT_PROFILE_ID")


def _gateway_class() -> type | None:
    """The class whose factory PAYMENTS_GATEWAY names (a class method's, or a class)."""
    factory = gateway_factory()
    owner = getattr(factory, "__self__", factory)
    return owner if isinstance(owner, type) else None


def gateway_check(**kwargs: Any) -> list[checks.CheckMessage]:
    try:
        gateway = _gateway_class()
    except ImportError as error:
        return [
            checks.Error(
                f"PAYMENTS_GATEWAY ({settings.PAYMENTS_GATEWAY}) cannot be imported: {error}",
                id="parcauto.E010",
            )
        ]
    if gateway is not None and issubclass(gateway, SandboxGateway):
        if settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY:
            return []
        return [
            checks.Error(
                "The sandbox card gateway is selected but not allowed "
                "(PARCAUTO_ALLOW_SANDBOX_GATEWAY, off outside DEBUG): it takes test cards "
                "and collects no money.",
                hint="Set PAYMENTS_GATEWAY to parcauto.payments.gateways.moneris."
                "MonerisGateway.from_settings, or PARCAUTO_ALLOW_SANDBOX_GATEWAY=true on a "
                "staging site.",
                id="parcauto.E011",
            )
        ]
    if gateway is not None and issubclass(gateway, MonerisGateway):
        return _moneris_errors()
    return []


def _moneris_errors() -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    missing = [name for name in _MONERIS_SETTINGS if not getattr(settings, name).strip()]
    if missing:
        errors.append(
            checks.Error(
                f"The Moneris gateway needs {', '.join(missing)}.",
                hint="From Moneris' Merchant Resource Centre (store id, API token, "
                "Hosted Tokenization profile id).",
                id="parcauto.E012",
            )
        )
    host = settings.MONERIS_HOST
    if not host or any(character in host for character in "/: @"):
        errors.append(
            checks.Error(
                f"MONERIS_HOST ({host!r}) must be a bare host name.",
                hint="www3.moneris.com in production, esqa.moneris.com for tests.",
                id="parcauto.E013",
            )
        )
    return errors


def encryption_keys_check(**kwargs: Any) -> list[checks.CheckMessage]:
    keys = settings.PAYMENTS_ENCRYPTION_KEYS
    if not keys:
        return [
            checks.Error(
                "PAYMENTS_ENCRYPTION_KEYS is empty: bank account numbers cannot be stored.",
                hint="Make a key with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="parcauto.E014",
            )
        ]
    errors: list[checks.CheckMessage] = []
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:  # the key itself is never printed
            errors.append(
                checks.Error(
                    f"PAYMENTS_ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet "
                    "key (32 bytes, URL-safe base64).",
                    id="parcauto.E015",
                )
            )
    return errors


def gateway_deploy_check(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    try:
        gateway = _gateway_class()
    except ImportError:
        return []  # E010 says so
    warnings: list[checks.CheckMessage] = []
    if (
        gateway is not None
        and issubclass(gateway, SandboxGateway)
        and settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY
    ):
        warnings.append(
            checks.Warning(
                "The sandbox card gateway is allowed outside DEBUG "
                "(PARCAUTO_ALLOW_SANDBOX_GATEWAY): a staging site only.",
                id="parcauto.W010",
            )
        )
    if (
        gateway is not None
        and issubclass(gateway, MonerisGateway)
        and settings.MONERIS_HOST == MONERIS_TEST_HOST
    ):
        warnings.append(
            checks.Warning(
                f"MONERIS_HOST is Moneris' test host ({MONERIS_TEST_HOST}): no charge "
                "collects money.",
                hint="www3.moneris.com in production.",
                id="parcauto.W011",
            )
        )
    return warnings
