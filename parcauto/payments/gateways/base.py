"""What the rest of Parcauto may ask of a card gateway, whichever it is.

The card number never reaches us (rule 21): the person types it in the gateway's own
iframe, which gives the page a *temporary token*; the server turns it into a vault
profile (a *data key*) and charges that key. Every charge carries an `order_id` that
the caller committed before the call: retrying with the same id never charges twice,
and `status` tells what became of an id after a crash or a timeout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

# Moneris' code for an expired card (ISO 54), shared by the sandbox's simulator.
EXPIRED_CARD_CODE = "482"


class GatewayError(Exception):
    """The gateway could not be reached or answered nonsense: the outcome is unknown."""


class GatewayTimeout(GatewayError):
    """No answer in time: the charge may or may not have happened (ask `status`)."""


class CardRejected(Exception):
    """The card could not be verified or stored (expired, declined, bad token)."""

    def __init__(self, message: str, *, response_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.response_code = response_code


def card_refusal_message(response_code: str) -> str:
    """What the person reads when a card cannot be stored: "" is a lost or stale token."""
    if response_code == EXPIRED_CARD_CODE:
        return _("This card has expired. Please use another card.")
    if not response_code:
        return _("The card entry has expired. Please enter the card again.")
    return _("This card was declined. Please use another card.")


@dataclass(frozen=True)
class HostedTokenization:
    """What the payment page needs to show the gateway's card iframe."""

    iframe_url: str
    # The origin the iframe's postMessage answers come from (checked by our script).
    origin: str


@dataclass(frozen=True)
class CardProfile:
    """A card stored in the gateway's vault: what we keep (never the number)."""

    data_key: str
    brand: str
    last4: str
    expiry: str  # YYMM, as Moneris returns it
    # Credential on file (rule 22): the issuer's id from the first, cardholder-present
    # verification, sent with every later merchant-initiated charge.
    issuer_id: str


@dataclass(frozen=True)
class Charge:
    """One charge to make: `order_id` is the idempotency key the caller has committed."""

    order_id: str
    data_key: str
    amount: Decimal
    issuer_id: str = ""
    # False for the first, cardholder-initiated charge; True for later monthly ones (MIT).
    recurring: bool = True


@dataclass(frozen=True)
class ChargeResult:
    order_id: str
    approved: bool
    response_code: str
    message: str
    reference: str = ""
    auth_code: str = ""
    processed_at: dt.datetime | None = None
    # The gateway already had this order id: this is its stored answer, nothing was charged.
    duplicate: bool = False


class Gateway(Protocol):
    name: str

    def hosted_tokenization(self, *, page_origin: str, language: str) -> HostedTokenization:
        """The iframe that captures the card and answers the page with a temporary token."""
        ...

    def vault_add(self, *, temporary_token: str, customer_id: str) -> CardProfile:
        """Verify the card (credential-on-file first use) and store it. Raises CardRejected."""
        ...

    def vault_delete(self, *, data_key: str) -> None:
        """Forget a stored card (refused request, replaced card: rule 9)."""
        ...

    def purchase(self, charge: Charge) -> ChargeResult:
        """Charge a stored card. Raises GatewayTimeout / GatewayError when unsure."""
        ...

    def purchase_many(self, charges: Sequence[Charge]) -> list[ChargeResult | GatewayError]:
        """Several charges (the billing run); one result or error per charge, in order."""
        ...

    def status(self, *, order_id: str) -> ChargeResult | None:
        """What became of `order_id`: its result, or None if the gateway never had it."""
        ...

    def refund(self, *, order_id: str, original: ChargeResult, amount: Decimal) -> ChargeResult:
        """Give back up to the amount of an approved charge, as a new order id."""
        ...
