"""Template tags for e-mails rendered by tasks: absolute portal links and settings they quote."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from parcauto.tenants.links import portal_absolute_url
from parcauto.tenants.models import Organization

register = template.Library()


@register.simple_tag
def portal_url(organization: Organization, url_name: str, *args: Any, **kwargs: Any) -> str:
    """`{% portal_url organization "portal:dashboard" %}` -> https://chus.example/tableau-de-bord/"""
    return portal_absolute_url(organization, url_name, *args, **kwargs)


@register.simple_tag
def vehicle_activation_delay_hours() -> int:
    """How long a new permit or vehicle takes to reach patrol and plate cameras (rule 51)."""
    return int(settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS)
