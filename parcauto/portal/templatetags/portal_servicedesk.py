"""What the contract's page says of the service desk: which requests it may send, and the
requests already sent about it (its history). Asked here so that the contract's view
stays the subscriptions' own."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.selectors import requests_for_contract
from parcauto.servicedesk.services.cancellation import cancellation_open_for
from parcauto.servicedesk.services.requests import MODIFIABLE_STATUSES
from parcauto.subscriptions.models import Subscription

register = template.Library()


@dataclass(frozen=True)
class ContractDesk:
    may_modify: bool
    may_cancel: bool
    cancellation: ServiceRequest | None  # the one in play, if any
    requests: list[ServiceRequest]


@register.simple_tag
def contract_desk(subscription: Subscription) -> ContractDesk:
    cancellation = cancellation_open_for(subscription)
    return ContractDesk(
        may_modify=subscription.status in MODIFIABLE_STATUSES,
        may_cancel=subscription.status == Subscription.Status.ACTIVE and cancellation is None,
        cancellation=cancellation,
        requests=list(requests_for_contract(subscription=subscription)),
    )
