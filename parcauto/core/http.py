"""Typed requests: what the middleware guarantees, visible to mypy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from parcauto.accounts.models import User
    from parcauto.tenants.models import Organization


class TenantRequest(HttpRequest):
    """Any request: the institution of the host, or None on the operator's host."""

    organization: Organization | None


class PortalRequest(HttpRequest):
    """A signed-in person on an institution's portal (see portal.decorators.portal_view)."""

    user: User
    organization: Organization
