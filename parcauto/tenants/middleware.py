from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope

from .selectors import organization_for_host


class OrganizationMiddleware:
    """Maps the Host header to an institution and enters its data scope.

    Root hosts (the operator's own) have no institution: they list the portals and
    serve the back office, and enter no scope here, so a tenant query there fails
    loudly (a staff member's is entered by `backoffice.middleware.StaffScopeMiddleware`).
    Any other unknown host is a 404, never a default tenant.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hostname = request.get_host().split(":", 1)[0].lower()
        organization = organization_for_host(hostname)
        if organization is None and hostname not in settings.PARCAUTO_ROOT_HOSTS:
            raise Http404("Unknown portal")
        request.organization = organization  # type: ignore[attr-defined]
        if organization is None:
            return self.get_response(request)
        with scope(organization=organization):
            return self.get_response(request)
