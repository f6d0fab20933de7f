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
    return portal_absolute_path(
        organization, reverse(url_name, args=args or None, kwargs=kwargs or None)
    )


def portal_absolute_path(organization: Organization, path: str) -> str:
    """`https://<primary host><path>` for a path that must never move (one printed on
    paper), or of an interface the caller may not import."""
    scheme = "http" if settings.DEBUG else "https"
    port = f":{settings.PARCAUTO_DEV_PORT}" if settings.DEBUG and settings.PARCAUTO_DEV_PORT else ""
    return f"{scheme}://{portal_host(organization)}{port}{path}"
