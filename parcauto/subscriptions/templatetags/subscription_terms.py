"""How a subscription's terms read in pages and e-mails."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from parcauto.core.clock import local_today
from parcauto.core.dates import format_date

from ..models import Subscription
from ..services.submission import starts_on_approval

register = template.Library()


@register.filter
def subscription_start(subscription: Subscription) -> str:
    """ "Début de l'abonnement": "Jour de l'approbation" (guide 002) while a request that
    starts on its approval awaits it, else the date (`1er juin 2026`)."""
    if starts_on_approval(subscription, local_today()):
        return _("Day of approval")
    return format_date(subscription.start_date)
