from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from .models import LegalText, Organization, OrganizationHost

_HOST_CACHE_SECONDS = 60


def organization_for_host(hostname: str) -> Organization | None:
    """The active institution answering on `hostname` (port stripped), cached briefly."""
    hostname = hostname.split(":", 1)[0].lower().rstrip(".")
    key = f"tenants:host:{hostname}"
    organization_id = cache.get(key)
    if organization_id is None:
        host = (
            OrganizationHost.objects.filter(hostname=hostname, organization__is_active=True)
            .only("organization_id")
            .first()
        )
        organization_id = host.organization_id if host else 0
        cache.set(key, organization_id, _HOST_CACHE_SECONDS)
    if not organization_id:
        return None
    return Organization.objects.filter(pk=organization_id, is_active=True).first()


def organization_list_public() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True).prefetch_related("hosts")


def legal_text_current(*, organization: Organization, kind: str) -> LegalText | None:
    return (
        LegalText.objects.filter(organization=organization, kind=kind).order_by("-version").first()
    )
