"""What the menu and the dashboard say about subscriptions.

The menu and the dashboard are drawn by views that are not the subscription pages', so
they ask here (through the subscriptions selectors, narrowed to the signed-in person and
the portal's institution).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import (
    CONTRACT_STATUSES,
    subscription_contract_id_for,
    subscription_draft_for,
    subscription_list_for_person,
)

from ..payment_forms import payroll_only

register = template.Library()

WIZARD_STEPS = list(Subscription.Step.values)


@dataclass(frozen=True)
class Overview:
    """Where the person stands on this portal: a draft to resume, requests, a contract."""

    draft: Subscription | None
    latest: Subscription | None
    contract: Subscription | None

    @property
    def draft_step_number(self) -> int:
        return WIZARD_STEPS.index(self.draft.step) + 1 if self.draft else 0

    @property
    def draft_step_count(self) -> int:
        """5, or 4 for a payroll-deduction permit (no payment step, guide 002)."""
        return len(WIZARD_STEPS) - (1 if self.draft and payroll_only(self.draft) else 0)


@register.simple_tag(takes_context=True)
def subscription_overview(context: template.Context) -> Overview | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    if organization is None or user is None or not user.is_authenticated:
        return None
    subscriptions = subscription_list_for_person(person=user, organization=organization)
    return Overview(
        draft=subscription_draft_for(person=user, organization=organization),
        latest=subscriptions.first(),
        contract=subscriptions.filter(status__in=CONTRACT_STATUSES).first(),
    )


@register.simple_tag(takes_context=True)
def current_contract_id(context: template.Context) -> int | None:
    """The id of the contract "MON CONTRAT" opens (the menu of every portal page)."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    if organization is None or user is None or not user.is_authenticated:
        return None
    return subscription_contract_id_for(person=user, organization=organization)
