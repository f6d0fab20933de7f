from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from .models import LegalText, Organization, OrganizationHost

_HOST_CACHE_SECONDS = 60


def organization_for_host(hostname: str) -> Organization | None:
    """The active institution answering on `hostname` (port stripped).

    Asked on every request, so the answer (the institution itself, or "none") is cached
    for a minute: a change of branding or of host names shows within that minute.
    """
    hostname = hostname.split(":", 1)[0].lower().rstrip(".")
    key = f"tenants:organization-of-host:{hostname}"
    cached = cache.get(key)
    if cached is None:
        host = (
            OrganizationHost.objects.filter(hostname=hostname, organization__is_active=True)
            .select_related("organization")
            .first()
        )
        cached = host.organization if host else 0
        cache.set(key, cached, _HOST_CACHE_SECONDS)
    return cached or None


def organization_list_public() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True).prefetch_related("hosts")


def legal_text_current(*, organization: Organization, kind: str) -> LegalText | None:
    return (
        LegalText.objects.filter(organization=organization, kind=kind).order_by("-version").first()
    )
