"""The wallet links of the e-mail « Votre carte d'accès virtuelle » (access queues it when
a contract becomes active and asks here through `PARCAUTO_PASS_EMAIL_EXTRAS`).

The links go to the holder's portal pages, which ask them to sign in: nothing in the
e-mail opens the pass by itself, so there is no secret to keep out of the stored copy.
"""

from __future__ import annotations

from typing import Any

from parcauto.access.models import AccessPass
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.links import portal_absolute_url

from .credentials import apple_credentials, google_credentials
from .services import wallet_pass_addable


def pass_email_extras(*, access_pass: AccessPass, contract: Subscription) -> dict[str, Any]:
    """`wallet_apple_url` and `wallet_google_url` (empty when that wallet is not offered)."""
    offered = wallet_pass_addable(access_pass)
    organization = contract.organization
    return {
        "wallet_apple_url": portal_absolute_url(
            organization, "portal:subscription_wallet_apple", pk=contract.pk
        )
        if offered and apple_credentials() is not None
        else "",
        "wallet_google_url": portal_absolute_url(
            organization, "portal:subscription_wallet_google", pk=contract.pk
        )
        if offered and google_credentials() is not None
        else "",
        "secrets": [],
    }
