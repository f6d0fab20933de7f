"""Absolute links to an institution's portal, for e-mails and tasks (no request at hand)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from parcauto.tenants.models import Organization


def portal_host(organization: Organization) -> str:
    """The institution's primary host name (demo portals: `<slug>.<base domain>`)."""
    return organization.primary_hostname or f"{organization.slug}.{settings.PARCAUTO_BASE_DOMAIN}"


def portal_absolute_url(
    organization: Organization, url_name: str, *args: Any, **kwargs: Any
) -> str:
    """`https://<primary host>/<path>`; plain http only while DEBUG (the dev server)."""
    scheme = "http" if settings.DEBUG else "https"
    port = f":{settings.PARCAUTO_DEV_PORT}" if settings.DEBUG and settings.PARCAUTO_DEV_PORT else ""
    path = reverse(url_name, args=args or None, kwargs=kwargs or None)
    return f"{scheme}://{portal_host(organization)}{port}{path}"
