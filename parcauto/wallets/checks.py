"""System checks of the wallet passes (ids parcauto.E030-E039, W030-W039; see core.checks).

Certificates and keys an operator configured are loaded at start-up, so a malformed or
mismatched one stops it with what to fix rather than failing on a holder's first tap.
Nothing configured is no error: the wallet buttons are simply not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .credentials import apple_credentials, google_credentials


def _loaded(load: Callable[[], object], check_id: str) -> list[checks.CheckMessage]:
    try:
        load()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id=check_id, hint="README, Wallet passes.")]
    return []


def wallet_credentials_check(**kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    apple = (
        settings.WALLET_APPLE_CERTIFICATE,
        settings.WALLET_APPLE_KEY,
        settings.WALLET_APPLE_WWDR,
    )
    if any(apple):
        found += _loaded(apple_credentials, "parcauto.E030")
    if settings.WALLET_GOOGLE_SERVICE_ACCOUNT:
        found += _loaded(google_credentials, "parcauto.E031")
    return found


def wallet_deploy_check(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or not settings.WALLET_DEV_CREDENTIALS:
        return []
    return [
        checks.Warning(
            "Wallet passes are signed with the development chain (WALLET_DEV_CREDENTIALS): "
            "phones refuse them.",
            hint="Set the WALLET_APPLE_* and WALLET_GOOGLE_* settings (README, Wallet "
            "passes), or WALLET_DEV_CREDENTIALS=false to offer no wallet.",
            id="parcauto.W030",
        )
    ]
