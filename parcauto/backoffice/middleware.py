"""The tenant scope of a back-office request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parcauto.tenants.scoping import staff_scope

from .admin_scoping import access_for


class StaffScopeMiddleware:
    """On the operator's host, a staff member works in the scope of the institutions
    they hold a role for (every one for an operator administrator).

    Around the whole response, not only the view: the admin's pages are rendered after
    their view returns. A query a page forgot to narrow cannot reach another
    institution's rows, and anyone else on that host (anonymous, customers) gets no
    scope at all: a tenant query there fails instead of reading every institution.
    A portal request keeps its institution's scope (`OrganizationMiddleware`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "organization", None) is not None:
            return self.get_response(request)
        access = access_for(request)
        if not access.is_staff:
            return self.get_response(request)
        institutions = (
            access.visible_organizations().values_list("pk", flat=True)
            if access.operator_admin
            # Patrol agents work in the institutions they patrol (their pages only).
            else access.visible | access.patrolled
        )
        with staff_scope(institutions):
            return self.get_response(request)
