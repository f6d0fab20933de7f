"""What every back-office page shares: root host only, staff only, the staff's scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from parcauto.accounts.models import User
from parcauto.accounts.roles import StaffAccess
from parcauto.catalog.models import ParkingLot
from parcauto.enforcement.models import ClaimNotice, PlateCheck
from parcauto.tenants.models import Organization

from ..admin_scoping import access_for


class StaffRequest(HttpRequest):
    """A signed-in staff member on the operator's host (see `backoffice_view`)."""

    user: User
    organization: None


def _staff_page[R: HttpResponseBase](
    view: Callable[..., R], allowed: Callable[[StaffAccess], bool]
) -> Callable[..., R]:
    @login_required
    @wraps(view)
    def signed_in(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        if not allowed(access_for(request)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    @wraps(view)
    def root_host_only(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        # Before the login check: a portal host must not even redirect to a login page.
        if getattr(request, "organization", None) is not None:
            raise Http404
        return signed_in(request, *args, **kwargs)

    return root_host_only


def backoffice_view[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R]:
    """An operator page: 404 on a portal host, login first, then 403 without a staff role
    that works in the office (a patrol agent has their patrol pages only).

    The pages span the institutions the staff member holds a role for: the request runs
    in their scope (`backoffice.middleware.StaffScopeMiddleware`), each view narrows rows
    to them as well (`staff_organizations`), and a row of any other institution answers
    404, as if it did not exist.
    """
    return _staff_page(view, lambda access: access.works_in_office)


def patrol_view[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R]:
    """A patrol page: as `backoffice_view`, for those who patrol (patrol agents and
    managers); each view narrows lots to `patrol_lots`, checks and notices to `patrolled`."""
    return _staff_page(view, lambda access: access.may_patrol_somewhere)


def any_staff_view[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R]:
    """A page for every staff member, whichever their role (the back office's home)."""
    return _staff_page(view, lambda access: access.is_staff)


def staff(request: HttpRequest) -> StaffAccess:
    return access_for(request)


def staff_organizations(request: HttpRequest) -> QuerySet[Organization]:
    """The institutions whose requests this staff member sees (all for operator admins)."""
    return staff(request).visible_organizations().order_by("name_fr")


def deciding_organizations(request: HttpRequest) -> QuerySet[Organization]:
    """The institutions whose requests this staff member may approve or refuse."""
    access = staff(request)
    visible = staff_organizations(request)
    return visible.filter(pk__in=[o.pk for o in visible if access.may_decide(o.pk)])


def patrol_lots(request: HttpRequest) -> QuerySet[ParkingLot]:
    """The lots this person checks plates in: every lot of the institutions they patrol,
    or only those their patrol role names (`StaffAccess.patrol_lot_ids`)."""
    access = staff(request)
    return ParkingLot.objects.filter(organization__in=access.patrol_organizations()).filter(
        access.patrolled_rows("pk")
    )


def patrolled[M: PlateCheck | ClaimNotice](request: HttpRequest, rows: QuerySet[M]) -> QuerySet[M]:
    """The plate checks or notices of the lots this person patrols: any other is a 404."""
    access = staff(request)
    return rows.filter(organization__in=access.patrol_organizations()).filter(
        access.patrolled_rows()
    )


def layout_context(request: HttpRequest) -> dict[str, Any]:
    access = staff(request)
    return {
        "staff_office": access.works_in_office,
        "staff_patrols": access.may_patrol_somewhere,
        "staff_operator_admin": access.operator_admin,
        "staff_manages": access.may_edit_somewhere,
        "staff_institutions": []
        if access.operator_admin
        else list(Organization.objects.filter(pk__in=access.in_scope).order_by("name_fr")),
    }
