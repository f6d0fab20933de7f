"""The words a product's billing and a payment method print as, from their stored values."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from parcauto.catalog.models import PaymentMethodKind, PermitProduct

register = template.Library()


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
