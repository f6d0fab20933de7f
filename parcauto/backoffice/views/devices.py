"""The devices of an institution's lots: list, register, new key, revoke.

A key opens the lot's gate decisions and allowlist to whoever holds it: the managers of
the institution and the operator handle them; agents are refused. A key is shown once,
on the page that answers the registration or the rotation, and never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcauto.access.devices import (
    DeviceError,
    InvalidDevice,
    IssuedKey,
    device_register,
    device_revoke,
    device_rotate_key,
)
from parcauto.access.models import Device
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import now
from parcauto.tenants.models import Organization

from ..access_forms import DeviceForm
from .base import StaffRequest, backoffice_view, layout_context, staff, staff_organizations


def device_organizations(request: StaffRequest) -> QuerySet[Organization]:
    """The institutions whose devices this staff member manages; 403 for none."""
    access = staff(request)
    visible = staff_organizations(request)
    managed = visible.filter(pk__in=[o.pk for o in visible if access.may_edit(o.pk)])
    if not managed.exists():
        raise PermissionDenied
    return managed


def _device_or_404(request: StaffRequest, pk: int) -> Device:
    """A device of the staff member's institutions (404 otherwise), if they manage it (403)."""
    device = (
        Device.objects.filter(pk=pk, organization__in=staff_organizations(request))
        .select_related("lot", "organization")
        .first()
    )
    if device is None:
        raise Http404
    if not staff(request).may_edit(device.organization_id):
        raise PermissionDenied
    return device


def _issued(request: StaffRequest, issued: IssuedKey, *, rotated: bool) -> HttpResponse:
    response = render(
        request,
        "backoffice/access/device_key.html",
        {**layout_context(request), "device": issued.device, "key": issued.key, "rotated": rotated},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@backoffice_view
def devices(request: StaffRequest) -> HttpResponse:
    organizations = device_organizations(request)
    found = (
        Device.objects.filter(organization__in=organizations)
        .select_related("lot", "organization")
        .order_by("organization__name_fr", "lot__number", "name")
    )
    return render(
        request,
        "backoffice/access/devices.html",
        {
            **layout_context(request),
            "devices": list(found),
            "several": organizations.count() > 1,
        },
    )


@require_http_methods(["GET", "POST"])
@backoffice_view
def device_add(request: StaffRequest) -> HttpResponse:
    lots = ParkingLot.objects.filter(organization__in=device_organizations(request))
    form = DeviceForm(request.POST if request.method == "POST" else None, lots=lots)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "backoffice/access/device_form.html",
            {**layout_context(request), "form": form},
            status=status,
        )
    lot: ParkingLot = form.cleaned_data["lot"]
    try:
        issued = device_register(
            organization=lot.organization,
            lot=lot,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            lanes=form.cleaned_data["lanes"],
            actor=request.user,
            now=now(),
        )
    except InvalidDevice as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return render(
            request,
            "backoffice/access/device_form.html",
            {**layout_context(request), "form": form},
            status=400,
        )
    return _issued(request, issued, rotated=False)


@require_POST
@backoffice_view
def device_rotate(request: StaffRequest, pk: int) -> HttpResponse:
    device = _device_or_404(request, pk)
    try:
        issued = device_rotate_key(device=device, actor=request.user, now=now())
    except DeviceError as refused:
        messages.error(request, refused.message)
        return redirect("backoffice:devices")
    return _issued(request, issued, rotated=True)


@require_POST
@backoffice_view
def device_revoke_view(request: StaffRequest, pk: int) -> HttpResponse:
    device = _device_or_404(request, pk)
    device_revoke(device=device, actor=request.user, now=now())
    messages.success(
        request, _("%(name)s is revoked: its key no longer works.") % {"name": device.name}
    )
    return redirect("backoffice:devices")
