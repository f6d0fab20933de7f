from __future__ import annotations

import copy
import time

from django.db.models import QuerySet

from .models import LegalText, Organization, OrganizationHost

_HOST_CACHE_SECONDS = 60
_HOST_CACHE_SIZE = 1000  # host names remembered per process: every portal, and then some
# hostname -> (monotonic time it expires, the institution or None), in this process.
_hosts: dict[str, tuple[float, Organization | None]] = {}


def organization_for_host(hostname: str) -> Organization | None:
    """The active institution answering on `hostname` (port stripped).

    Asked on every request, so the answer (the institution itself, or "none") is kept
    for a minute in this process: a change of branding or of host names shows within
    that minute. Not in the shared cache: a Redis round trip and an unpickled copy cost
    more than the query they spare, on every request. Each request gets its own copy.
    """
    hostname = hostname.split(":", 1)[0].lower().rstrip(".")
    now = time.monotonic()
    known = _hosts.get(hostname)
    if known is None or known[0] <= now:
        host = (
            OrganizationHost.objects.filter(hostname=hostname, organization__is_active=True)
            .select_related("organization")
            .first()
        )
        if len(_hosts) >= _HOST_CACHE_SIZE:  # made-up Host headers must not grow it forever
            _hosts.clear()
        known = _hosts[hostname] = (now + _HOST_CACHE_SECONDS, host.organization if host else None)
    return copy.copy(known[1])


def organization_hosts_forget() -> None:
    """Forget every host's institution (tests; a process that changed hosts)."""
    _hosts.clear()


def organization_list_public() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True).prefetch_related("hosts")


def legal_text_current(*, organization: Organization, kind: str) -> LegalText | None:
    return (
        LegalText.objects.filter(organization=organization, kind=kind).order_by("-version").first()
    )
