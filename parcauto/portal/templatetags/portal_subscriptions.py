"""Money as core.money formats it, and what the menu and the dashboard say about subscriptions.

The menu and the dashboard are drawn by views that are not the subscription pages', so
they ask here (through the subscriptions selectors, narrowed to the signed-in person and
the portal's institution).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parcauto.accounts.normalizers import format_phone
from parcauto.catalog.models import PaymentMethodKind, PermitProduct
from parcauto.core.money import format_money
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import (
    CONTRACT_STATUSES,
    subscription_contract_id_for,
    subscription_draft_for,
    subscription_list_for_person,
)

register = template.Library()

WIZARD_STEPS = list(Subscription.Step.values)


def money_for_language(amount: Decimal | int | str | None) -> str:
    """`1 234,50 $` in French, `$1,234.50` in English: the active language decides."""
    if amount is None or amount == "":
        return ""
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    return format_money(amount, language)


@register.filter
def money(amount: Decimal | int | str | None) -> str:
    return money_for_language(amount)


@dataclass(frozen=True)
class Overview:
    """Where the person stands on this portal: a draft to resume, requests, a contract."""

    draft: Subscription | None
    latest: Subscription | None
    contract: Subscription | None

    @property
    def draft_step_number(self) -> int:
        return WIZARD_STEPS.index(self.draft.step) + 1 if self.draft else 0


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


@register.filter
def phone(number: str, extension: str = "") -> str:
    """`(819) 555-1234, poste 12` from the stored E.164 number and its extension."""
    if not number:
        return ""
    text = format_phone(number)
    if extension:
        text = _("%(number)s, ext. %(extension)s") % {"number": text, "extension": extension}
    return text


@register.filter
def billing_label(frequency: str) -> str:
    """ "Mensuel": how often a contract is billed (its snapshot carries the bare value)."""
    try:
        return str(PermitProduct.Billing(frequency).label)
    except ValueError:
        return frequency


@register.filter
def billing_period(frequency: str) -> str:
    """ "par mois", after a price."""
    periods: dict[str, str] = {
        PermitProduct.Billing.MONTHLY: _("per month"),
        PermitProduct.Billing.PER_TERM: _("per term"),
        PermitProduct.Billing.ONE_TIME: _("paid once"),
    }
    return periods.get(frequency, "")


@register.filter
def payment_method_label(method: str) -> str:
    try:
        return str(PaymentMethodKind(method).label)
    except ValueError:
        return ""
