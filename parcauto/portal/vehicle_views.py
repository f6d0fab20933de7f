"""PARAMÈTRES and "Mes véhicules": list, add, edit and remove one's own vehicles."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest
from parcauto.subscriptions.selectors import vehicles_needed_by_contracts
from parcauto.vehicles.errors import TooManyVehicles, VehicleError
from parcauto.vehicles.models import Vehicle
from parcauto.vehicles.selectors import (
    vehicle_get_for_owner,
    vehicle_list,
    vehicle_model_names,
    vehicle_pending_until,
)
from parcauto.vehicles.services import vehicle_add, vehicle_remove, vehicle_update

from .decorators import portal_view
from .vehicle_forms import VehicleForm


def _own_vehicle(request: PortalRequest, pk: int) -> Vehicle:
    vehicle = vehicle_get_for_owner(owner=request.user, pk=pk)
    if vehicle is None:
        raise Http404
    return vehicle


def delay_notice(action: str) -> str:
    """What the person reads after a change: when patrol and cameras will apply it (rule 51).

    `action`: "added", "changed" or "removed".
    """
    done = {
        "added": _("Your vehicle has been added."),
        "changed": _("Your vehicle has been updated."),
        "removed": _("Your vehicle has been removed."),
    }[action]
    hours = settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS
    if hours == 0:
        return done
    if action == "removed":
        later = ngettext(
            "Patrol officers and plate cameras stop recognising it in %(hours)d hour.",
            "Patrol officers and plate cameras stop recognising it in %(hours)d hours.",
            hours,
        )
    elif action == "changed":
        later = ngettext(
            "The change takes %(hours)d hour to reach patrol officers and plate cameras. "
            "Until then, they use the previous information.",
            "The change takes %(hours)d hours to reach patrol officers and plate cameras. "
            "Until then, they use the previous information.",
            hours,
        )
    else:
        later = ngettext(
            "It takes %(hours)d hour before patrol officers and plate cameras recognise it.",
            "It takes %(hours)d hours before patrol officers and plate cameras recognise it.",
            hours,
        )
    return f"{done} {later % {'hours': hours}}"


@portal_view
def settings_page(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/settings.html")


@portal_view
def vehicle_list_page(request: PortalRequest) -> HttpResponse:
    vehicles = list(vehicle_list(owner=request.user))
    pending = vehicle_pending_until(vehicles=vehicles, at=clock_now())
    limit = settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT
    can_add = len(vehicles) < limit
    return render(
        request,
        "portal/vehicles/list.html",
        {
            # (vehicle, when its latest change reaches patrol, or None if it already has)
            "rows": [(vehicle, pending.get(vehicle.pk)) for vehicle in vehicles],
            "limit": limit,
            "can_add": can_add,
            "limit_message": None if can_add else TooManyVehicles(limit=limit).message,
            "delay_hours": settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS,
        },
    )


def vehicle_form_add(
    request: PortalRequest, form: VehicleForm, *, now: dt.datetime
) -> Vehicle | None:
    """Add the vehicle a valid form describes and say when it takes effect.

    None when the form or the rules refuse it: the form then carries the reason. The
    vehicles page and the wizard's "Enregistrer mon véhicule" both add this way.
    """
    if not form.is_valid():
        return None
    try:
        vehicle = vehicle_add(
            owner=request.user,
            data=form.to_data(),
            actor=request.user,
            now=now,
            organization=request.organization,
        )
    except VehicleError as error:
        form.add_domain_error(error)
        return None
    messages.success(request, delay_notice("added"))
    return vehicle


@portal_view
def vehicle_add_page(request: PortalRequest) -> HttpResponse:
    now = clock_now()
    limit = settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT
    if request.method != "POST" and vehicle_list(owner=request.user).count() >= limit:
        messages.error(request, TooManyVehicles(limit=limit).message)
        return redirect("portal:vehicle_list")
    if request.method == "POST":
        form = VehicleForm(request.POST, today=local_today(now))
        if vehicle_form_add(request, form, now=now) is not None:
            return redirect("portal:vehicle_list")
    else:
        form = VehicleForm(today=local_today(now))
    return render(request, "portal/vehicles/form.html", {"form": form, "vehicle": None})


@portal_view
def vehicle_edit_page(request: PortalRequest, pk: int) -> HttpResponse:
    vehicle = _own_vehicle(request, pk)
    now = clock_now()
    if request.method == "POST":
        form = VehicleForm(request.POST, today=local_today(now))
        if form.is_valid():
            try:
                change = vehicle_update(
                    vehicle=vehicle,
                    data=form.to_data(),
                    actor=request.user,
                    now=now,
                    organization=request.organization,
                )
            except VehicleError as error:
                form.add_domain_error(error)
            else:
                if change is None:
                    messages.info(request, _("Nothing has changed."))
                else:
                    messages.success(request, delay_notice("changed"))
                return redirect("portal:vehicle_list")
    else:
        form = VehicleForm(initial=VehicleForm.initial_for(vehicle), today=local_today(now))
    return render(request, "portal/vehicles/form.html", {"form": form, "vehicle": vehicle})


@portal_view
def vehicle_delete_page(request: PortalRequest, pk: int) -> HttpResponse:
    vehicle = _own_vehicle(request, pk)
    error = None
    if request.method == "POST":
        try:
            vehicle_remove(
                vehicle=vehicle,
                actor=request.user,
                now=clock_now(),
                # Subscriptions know what live contracts need; vehicles never ask them.
                keep_at_least=vehicles_needed_by_contracts(person=request.user),
                organization=request.organization,
            )
        except VehicleError as refused:
            error = refused.message
        else:
            messages.success(request, delay_notice("removed"))
            return redirect("portal:vehicle_list")
    return render(
        request,
        "portal/vehicles/confirm_delete.html",
        {
            "vehicle": vehicle,
            "error": error,
            "delay_hours": settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS,
        },
    )


@require_GET
@portal_view
def vehicle_models_options(request: PortalRequest) -> HttpResponse:
    """htmx: the <option>s of the model suggestions for the make typed so far.

    The make arrives under its field name, which a form prefix changes (`vehicle-make`).
    """
    make = next((str(v) for k, v in request.GET.items() if k == "make" or k.endswith("-make")), "")
    return render(
        request,
        "portal/vehicles/_model_options.html",
        {"models": vehicle_model_names(make=make)},
    )
