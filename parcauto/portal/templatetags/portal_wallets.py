"""Which wallet buttons the pass of a contract offers (`wallets/_buttons.html`)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from parcauto.subscriptions.models import Subscription
from parcauto.wallets.credentials import apple_credentials, google_credentials
from parcauto.wallets.selectors import pass_of_contract
from parcauto.wallets.services import wallet_pass_addable

register = template.Library()


@dataclass(frozen=True)
class WalletOffer:
    apple: bool
    google: bool

    def __bool__(self) -> bool:
        return self.apple or self.google


@register.simple_tag
def wallet_offer(subscription: Subscription) -> WalletOffer:
    """The wallets configured here, if the contract has a pass that may be added."""
    if not wallet_pass_addable(pass_of_contract(subscription.pk)):
        return WalletOffer(apple=False, google=False)
    return WalletOffer(
        apple=apple_credentials() is not None, google=google_credentials() is not None
    )
