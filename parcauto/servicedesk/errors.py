"""What the service desk refuses, with a stable code and a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError

# Guide 001's warning, word for word in French; also the refusal of a message carrying one.
CARD_NUMBER_WARNING = _("Do not send your credit card number in this message.")


class ServiceDeskError(DomainError):
    code = "servicedesk_error"


class CardNumberRefused(ServiceDeskError):
    """The message carries a card number: refused whole, nothing of it stored."""

    code = "card_number"

    def __init__(self) -> None:
        super().__init__(CARD_NUMBER_WARNING)


class NotAllowed(ServiceDeskError):
    """A change the request or the contract is not in a state to take."""

    code = "not_allowed"


class DateRefused(ServiceDeskError):
    """A cancellation date before what the notice clause allows, or after the contract."""

    code = "date_refused"
