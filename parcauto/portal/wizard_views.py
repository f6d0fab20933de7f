"""The five-step request wizard ("+ AJOUTER UN ABONNEMENT"): a draft saved at every step.

Every view parses with a form, makes one service call and renders. The draft is found
through subscriptions.selectors with the signed-in person and the portal's institution.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.errors import DomainError
from parcauto.core.http import PortalRequest
from parcauto.core.params import parse_id, parse_ids
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.selectors import (
    subscription_draft_for,
)
from parcauto.subscriptions.services import drafts, waitlist
from parcauto.tenants.models import LegalText
from parcauto.tenants.selectors import legal_text_current
from parcauto.vehicles.errors import TooManyVehicles
from parcauto.vehicles.selectors import vehicle_list

from .access_codes import access_code_check, access_code_missed
from .decorators import portal_view
from .payment_forms import payroll_only
from .subscription_forms import (
    ChooseForm,
    DetailsForm,
    VehicleChoiceForm,
    WaitlistForm,
)
from .vehicle_forms import VehicleForm
from .vehicle_views import vehicle_form_add

Step = Subscription.Step
STEPS = list(Step)
STEP_URLS = {
    Step.CHOOSE: "portal:subscription_new",
    Step.VEHICLES: "portal:subscription_vehicles",
    Step.DETAILS: "portal:subscription_details",
    Step.SUMMARY: "portal:subscription_summary",
    Step.PAYMENT: "portal:subscription_payment",
}
VEHICLE_PREFIX = "vehicle"


# --- the wizard's frame ---------------------------------------------------------------


def step_number(step: str) -> int:
    return STEPS.index(Step(step)) + 1


def _step_labels() -> dict[str, str]:
    # Short enough for five side by side on a phone.
    return {
        Step.CHOOSE: _("Permit"),
        Step.VEHICLES: _("Vehicles"),
        Step.DETAILS: _("Information"),
        Step.SUMMARY: _("Summary"),
        Step.PAYMENT: _("Payment"),
    }


def wizard_steps(draft: Subscription | None) -> list[Step]:
    """The steps this request goes through: a payroll-deduction permit has no payment."""
    if draft is not None and payroll_only(draft):
        return STEPS[:-1]
    return STEPS


def wizard_context(draft: Subscription | None, step: str) -> dict[str, Any]:
    """The step counter ("Étape N de 5", "de 4" without payment), the steps done (links
    back) and to come."""
    reached = step_number(draft.step) if draft else 1
    current = step_number(step)
    labels = _step_labels()
    steps = wizard_steps(draft)
    return {
        "draft": draft,
        "step_number": current,
        "step_count": len(steps),
        "steps": [
            {
                "number": number,
                "label": labels[step_value],
                "url": reverse(STEP_URLS[step_value])
                + ("?modifier=1" if step_value == Step.CHOOSE and draft else ""),
                "done": number < current,
                "current": number == current,
                "reachable": number <= reached and number != current,
            }
            for number, step_value in enumerate(steps, start=1)
        ],
    }


def step_redirect(draft: Subscription | None) -> HttpResponse:
    if draft is None:
        return redirect(STEP_URLS[Step.CHOOSE])
    if draft.step == Step.PAYMENT and payroll_only(draft):
        return redirect(STEP_URLS[Step.SUMMARY])
    return redirect(STEP_URLS[Step(draft.step)])


def wizard_step(
    step: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponseBase]]:
    """A step of the request: needs the person's draft, and the previous steps done."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not hasattr(request.user, "profile"):
                return redirect("portal:profile")
            draft = subscription_draft_for(person=request.user, organization=request.organization)
            if draft is None or step_number(draft.step) < step_number(step):
                return step_redirect(draft)
            return view(request, draft, *args, **kwargs)

        return portal_view(wrapper)

    return decorate


def legal_text(request: PortalRequest, kind: str) -> LegalText | None:
    return legal_text_current(organization=request.organization, kind=kind)


# --- step 1: choose ---------------------------------------------------------------------


def _choose_form(request: PortalRequest, data: Any = None, **kwargs: Any) -> ChooseForm:
    now = clock_now()
    return ChooseForm(
        data,
        organization=request.organization,
        person=request.user,
        now=now,
        today=local_today(now),
        **kwargs,
    )


def _choose_initial(request: PortalRequest, draft: Subscription | None) -> dict[str, Any]:
    """What the form starts with: the draft, then what a link asks for (?lot=&category=)."""
    initial: dict[str, Any] = {"start_date": local_today(clock_now())}
    if draft is not None:
        initial = {
            "lot": draft.lot_id,
            "category": draft.category_id,
            "product": draft.product_id,
            "start_date": draft.start_date,
            "end_date": draft.end_date,
        }
    for name in ("lot", "category", "product"):
        asked = parse_id(request.GET.get(name))
        if asked is not None:
            initial[name] = asked
    return initial


def _render_choose(
    request: PortalRequest, form: ChooseForm, draft: Subscription | None
) -> HttpResponse:
    return render(
        request,
        "portal/subscriptions/choose.html",
        {
            "form": form,
            "conditions": legal_text(request, LegalText.Kind.SUBSCRIPTION_CONDITIONS),
            "operator": settings.PARCAUTO_OPERATOR_NAME,
            **wizard_context(draft, Step.CHOOSE),
        },
    )


@portal_view
def subscription_new(request: PortalRequest) -> HttpResponse:
    """Step 1, and the way back in: a person with a draft resumes where they left off."""
    if not hasattr(request.user, "profile"):
        return redirect("portal:profile")
    draft = subscription_draft_for(person=request.user, organization=request.organization)
    if request.method != "POST":
        if draft is not None and "modifier" not in request.GET:
            return step_redirect(draft)
        return _render_choose(
            request, _choose_form(request, initial=_choose_initial(request, draft)), draft
        )
    form = _choose_form(request, request.POST)
    _access_code_counted(request, form)
    if "refresh" in request.POST:  # "Mettre à jour la liste" without JavaScript
        form.refresh_errors()
        return _render_choose(request, form, draft)
    if form.is_valid():
        try:
            drafts.subscription_draft_choose(
                person=request.user,
                organization=request.organization,
                now=form.now,
                **form.service_arguments(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect(STEP_URLS[Step.VEHICLES])
    return _render_choose(request, form, draft)


@require_GET
@portal_view
def subscription_offer(request: PortalRequest) -> HttpResponse:
    """htmx: lots, categories and permits again after the lot, category or code changed."""
    form = _choose_form(request, request.GET)
    _access_code_counted(request, form)
    form.refresh_errors()
    return render(request, "portal/subscriptions/_offer.html", {"form": form})


def _access_code_counted(request: PortalRequest, form: ChooseForm) -> None:
    """Nothing a typed code opens is shown once the wrong ones are used up (RateLimited)."""
    access_code_check(request, form.access_code_typed)
    if form.access_code_unknown:
        access_code_missed(request)


@require_POST
@portal_view
def subscription_waitlist_join(request: PortalRequest) -> HttpResponse:
    """ "M'inscrire sur la liste d'attente" for a sold-out permit; says the place in line."""
    now = clock_now()
    code = request.POST.get("access_code", "")
    access_code_check(request, code)
    form = WaitlistForm(
        request.POST, organization=request.organization, person=request.user, now=now
    )
    if not form.is_valid():
        if code.strip():  # a hidden permit's code that opens nothing is a wrong one
            access_code_missed(request)
        messages.error(
            request, " ".join(str(e) for e in form.non_field_errors()) or _("Required field")
        )
        return redirect(STEP_URLS[Step.CHOOSE])
    data = form.cleaned_data
    try:
        entry = waitlist.waitlist_join(
            person=request.user,
            product=data["product"],
            lot=data["lot"],
            category=data["category"],
            now=now,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _(
                "You are on the waiting list for %(product)s, in position %(position)d. "
                "We will e-mail you as soon as a place frees up."
            )
            % {"product": entry.product.name, "position": waitlist.waitlist_position(entry=entry)},
        )
    if data["back_to"] == "payment":
        return redirect(STEP_URLS[Step.PAYMENT])
    query = urlencode({"lot": data["lot"].pk, "category": data["category"].pk})
    return redirect(f"{reverse(STEP_URLS[Step.CHOOSE])}?modifier=1&{query}")


# --- step 2: vehicles -------------------------------------------------------------------


def _initial_vehicles(
    request: PortalRequest, draft: Subscription, vehicles: list[Any]
) -> list[int]:
    own = {vehicle.pk for vehicle in vehicles}
    asked = [pk for pk in parse_ids(request.GET.getlist("vehicule")) if pk in own]
    if asked:
        return asked
    chosen = [pk for pk in draft.vehicles.values_list("pk", flat=True) if pk in own]
    if chosen:
        return chosen
    # The account's vehicles (two at most) are the ones its permits cover: a second
    # request starts with them ticked, so "Continuer" goes on instead of answering
    # "Ajoutez au moins un véhicule".
    return [vehicle.pk for vehicle in vehicles]


def _render_vehicles(
    request: PortalRequest,
    draft: Subscription,
    vehicles: list[Any],
    form: VehicleChoiceForm,
    vehicle_form: VehicleForm,
) -> HttpResponse:
    limit = settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT
    can_add = len(vehicles) < limit
    return render(
        request,
        "portal/subscriptions/vehicles.html",
        {
            "form": form,
            "vehicle_form": vehicle_form,
            "vehicles": vehicles,
            "can_add": can_add,
            "limit_message": None if can_add else TooManyVehicles(limit=limit).message,
            "delay_hours": settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS,
            **wizard_context(draft, Step.VEHICLES),
        },
    )


@wizard_step(Step.VEHICLES)
def subscription_vehicles(request: PortalRequest, draft: Subscription) -> HttpResponse:
    vehicles = list(vehicle_list(owner=request.user))
    today = local_today(clock_now())
    if request.method == "POST":
        form = VehicleChoiceForm(request.POST, vehicles=vehicles)
        if form.is_valid():
            try:
                drafts.subscription_draft_set_vehicles(
                    subscription=draft,
                    vehicles=list(form.cleaned_data["vehicles"]),
                    now=clock_now(),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return redirect(STEP_URLS[Step.DETAILS])
    else:
        form = VehicleChoiceForm(
            initial={"vehicles": _initial_vehicles(request, draft, vehicles)}, vehicles=vehicles
        )
    vehicle_form = VehicleForm(prefix=VEHICLE_PREFIX, today=today)
    return _render_vehicles(request, draft, vehicles, form, vehicle_form)


@require_POST
@wizard_step(Step.VEHICLES)
def subscription_vehicle_add(request: PortalRequest, draft: Subscription) -> HttpResponse:
    """ "Enregistrer mon véhicule" inside step 2: the boxes ticked stay ticked."""
    now = clock_now()
    vehicles = list(vehicle_list(owner=request.user))
    choice = VehicleChoiceForm(request.POST, vehicles=vehicles)
    vehicle_form = VehicleForm(request.POST, prefix=VEHICLE_PREFIX, today=local_today(now))
    vehicle = vehicle_form_add(request, vehicle_form, now=now)
    if vehicle is not None:
        own = {v.pk for v in vehicles}
        ticked = [pk for pk in choice.ticked() if pk in own] + [vehicle.pk]
        query = urlencode({"vehicule": ticked}, doseq=True)
        return redirect(f"{reverse(STEP_URLS[Step.VEHICLES])}?{query}")
    unbound = VehicleChoiceForm(
        initial={"vehicles": [pk for pk in choice.ticked() if pk in {v.pk for v in vehicles}]},
        vehicles=vehicles,
    )
    response = _render_vehicles(request, draft, vehicles, unbound, vehicle_form)
    response.status_code = 200
    return response


# --- step 3: additional information -------------------------------------------------------


def proof_of(draft: Subscription) -> Attachment | None:
    return draft.attachments.filter(kind=Attachment.Kind.PROOF).order_by("-pk").first()


@wizard_step(Step.DETAILS)
def subscription_details(request: PortalRequest, draft: Subscription) -> HttpResponse:
    proof = proof_of(draft)
    if request.method == "POST":
        form = DetailsForm(
            request.POST, request.FILES, category=draft.category, has_proof=proof is not None
        )
        if form.is_valid():
            try:
                drafts.subscription_draft_set_details(
                    subscription=draft, now=clock_now(), **form.cleaned_data
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return redirect(STEP_URLS[Step.SUMMARY])
    else:
        initial = {
            "employee_number": draft.employee_number,
            "school": draft.school,
            "internship_discipline": draft.internship_discipline,
        }
        form = DetailsForm(initial=initial, category=draft.category, has_proof=proof is not None)
    return render(
        request,
        "portal/subscriptions/details.html",
        {"form": form, "proof": proof, **wizard_context(draft, Step.DETAILS)},
    )


@portal_view
def subscription_discard(request: PortalRequest) -> HttpResponse:
    """ "Annuler la demande": asks first, then the draft and its files are gone."""
    draft = subscription_draft_for(person=request.user, organization=request.organization)
    if draft is None:
        return redirect(STEP_URLS[Step.CHOOSE])
    if request.method == "POST":
        try:
            drafts.subscription_draft_discard(subscription=draft, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your request has been cancelled. Nothing was charged."))
        return redirect("portal:dashboard")
    return render(
        request,
        "portal/subscriptions/discard.html",
        {"subscription": draft, "back_url": reverse(STEP_URLS[Step(draft.step)])},
    )
