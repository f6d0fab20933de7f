"""The service desk on the portal: modification and cancellation requests (from MON
ABONNEMENT), "TRANSMETTRE UN RAPPORT", "Mes demandes" and each request's thread.

Objects are found through the selectors with the signed-in person and the portal's
institution: anyone else's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.dates import format_date
from parcauto.core.http import PortalRequest, private_download
from parcauto.core.uploads import UploadRefused
from parcauto.servicedesk import selectors
from parcauto.servicedesk.errors import ServiceDeskError
from parcauto.servicedesk.faq import answer_html, faq_search
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.cancellation import (
    cancellation_earliest,
    cancellation_open_for,
    cancellation_request_send,
    cancellation_withdraw,
)
from parcauto.servicedesk.services.requests import (
    modification_request_send,
    modification_subject,
    person_full_name,
    report_send,
)
from parcauto.servicedesk.services.thread import request_reply_by_customer
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import subscription_get_for_person

from .decorators import portal_view
from .servicedesk_forms import CancellationForm, ModificationForm, ReplyForm, ReportForm


def _own_request(request: PortalRequest, pk: int) -> ServiceRequest:
    found = selectors.request_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    if found is None:
        raise Http404
    return found


def _own_contract(request: PortalRequest, pk: int) -> Subscription:
    found = subscription_get_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    if found is None:
        raise Http404
    return found


def withdrawable(service_request: ServiceRequest) -> bool:
    """A cancellation still waiting for staff, or confirmed while its contract is ENDING."""
    contract = service_request.subscription
    if service_request.kind != ServiceRequest.Kind.CANCELLATION or contract is None:
        return False
    return cancellation_open_for(contract) == service_request


# --- Mes demandes -------------------------------------------------------------------------


@require_GET
@portal_view
def request_list(request: PortalRequest) -> HttpResponse:
    requests = selectors.requests_for_person(person=request.user, organization=request.organization)
    return render(request, "portal/servicedesk/list.html", {"requests": requests})


def _render_detail(
    request: PortalRequest, service_request: ServiceRequest, form: ReplyForm
) -> HttpResponse:
    return render(
        request,
        "portal/servicedesk/detail.html",
        {
            "service_request": service_request,
            "attachments": selectors.first_attachments(service_request),
            "thread": selectors.thread_for_person(service_request),
            "form": form,
            "withdrawable": withdrawable(service_request),
        },
    )


@require_GET
@portal_view
def request_detail(request: PortalRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _own_request(request, pk), ReplyForm())


@require_POST
@portal_view
def request_reply(request: PortalRequest, pk: int) -> HttpResponse:
    service_request = _own_request(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request_reply_by_customer(
                request=service_request,
                person=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                now=clock_now(),
            )
        except (ServiceDeskError, UploadRefused) as refused:
            form.add_domain_error(refused)
        else:
            messages.success(request, _("Your answer has been sent to the service centre."))
            return redirect("portal:request_detail", pk=service_request.pk)
    return _render_detail(request, service_request, form)


@portal_view
def request_withdraw(request: PortalRequest, pk: int) -> HttpResponse:
    """Withdraw a cancellation: a confirmation page, then the POST."""
    service_request = _own_request(request, pk)
    if not withdrawable(service_request):
        messages.error(request, _("This cancellation can no longer be withdrawn."))
        return redirect("portal:request_detail", pk=service_request.pk)
    if request.method == "POST":
        try:
            cancellation_withdraw(request=service_request, person=request.user, now=clock_now())
        except ServiceDeskError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(
                request, _("Your cancellation is withdrawn: your subscription goes on.")
            )
        return redirect("portal:request_detail", pk=service_request.pk)
    return render(request, "portal/servicedesk/withdraw.html", {"service_request": service_request})


@require_GET
@portal_view
def request_attachment(request: PortalRequest, pk: int, attachment_pk: int) -> FileResponse:
    service_request = _own_request(request, pk)
    found = service_request.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    return private_download(found.file, stem=found.download_stem, content_type=found.content_type)


# --- Requests on a contract ---------------------------------------------------------------


@portal_view
def modification(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Transmettre une demande de modification" (guide 001)."""
    contract = _own_contract(request, pk)
    initial = {
        "contact_email": request.user.email,
        "full_name": person_full_name(request.user),
        "subject": modification_subject(contract),
    }
    form = ModificationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sent = modification_request_send(
                subscription=contract,
                person=request.user,
                contact_email=form.cleaned_data["contact_email"],
                full_name=form.cleaned_data["full_name"],
                text=form.cleaned_data["comments"],
                attachment=form.cleaned_data["attachment"],
                now=clock_now(),
            )
        except (ServiceDeskError, UploadRefused) as refused:
            form.add_domain_error(refused)
        else:
            messages.success(
                request,
                _("Your request no. %(number)s has been sent to the service centre.")
                % {"number": sent.number},
            )
            return redirect("portal:request_detail", pk=sent.pk)
    return render(
        request,
        "portal/servicedesk/modification.html",
        {"subscription": contract, "form": form},
    )


def _cancellable(request: PortalRequest) -> list[Subscription]:
    """The person's active contracts with no cancellation in play."""
    return [
        contract
        for contract in Subscription.objects.filter(
            organization=request.organization,
            person=request.user,
            status=Subscription.Status.ACTIVE,
        ).select_related("product")
        if cancellation_open_for(contract) is None
    ]


@portal_view
def cancellation(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Transmettre une demande d'annulation" (guide 002)."""
    contract = _own_contract(request, pk)
    cancellable = _cancellable(request)
    if contract not in cancellable:
        messages.error(request, _("This subscription cannot be cancelled online."))
        return redirect("portal:subscription_detail", pk=contract.pk)
    choices = Subscription.objects.filter(
        organization=request.organization, pk__in=[c.pk for c in cancellable]
    ).select_related("product")
    today = local_today(clock_now())
    form = CancellationForm(
        request.POST or None,
        contracts=choices,
        initial={
            "subscription": contract.pk,
            "last_day": cancellation_earliest(subscription=contract, today=today),
        },
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["subscription"]
        try:
            sent = cancellation_request_send(
                subscription=chosen,
                person=request.user,
                last_day=form.cleaned_data["last_day"],
                now=clock_now(),
            )
        except ServiceDeskError as refused:
            form.add_domain_error(refused)
        else:
            messages.success(
                request,
                _("Your cancellation request no. %(number)s has been sent.")
                % {"number": sent.number},
            )
            return redirect("portal:request_detail", pk=sent.pk)
    earliest = {c: cancellation_earliest(subscription=c, today=today) for c in cancellable}
    form.fields["last_day"].widget.attrs["min"] = min(earliest.values()).isoformat()
    return render(
        request,
        "portal/servicedesk/cancellation.html",
        {
            "subscription": contract,
            "form": form,
            "earliest": [(c.product.number, format_date(day)) for c, day in earliest.items()],
        },
    )


# --- TRANSMETTRE UN RAPPORT ----------------------------------------------------------------


@portal_view
def report(request: PortalRequest) -> HttpResponse:
    lots = ParkingLot.objects.filter(organization=request.organization, is_active=True)
    form = ReportForm(request.POST or None, request.FILES or None, lots=lots)
    if request.method == "POST" and form.is_valid():
        try:
            sent = report_send(
                organization=request.organization,
                person=request.user,
                lot=form.cleaned_data["lot"],
                problem=form.cleaned_data["problem"],
                text=form.cleaned_data["description"],
                photos=form.cleaned_data["photos"],
                now=clock_now(),
            )
        except (ServiceDeskError, UploadRefused) as refused:
            form.add_domain_error(refused)
        else:
            messages.success(
                request,
                _("Thank you: your report no. %(number)s has been sent to the service centre.")
                % {"number": sent.number},
            )
            return redirect("portal:request_detail", pk=sent.pk)
    return render(
        request,
        "portal/servicedesk/report.html",
        {"form": form},
    )


# --- FAQ ----------------------------------------------------------------------------------


@require_GET
@portal_view
def faq(request: PortalRequest) -> HttpResponse:
    """The institution's questions and answers, searchable (`?q=`), in the page's language."""
    query = request.GET.get("q", "")[:100]
    entries = faq_search(organization=request.organization, query=query)
    return render(
        request,
        "portal/servicedesk/faq.html",
        {
            "query": query,
            "entries": [(entry, answer_html(entry.answer)) for entry in entries],
        },
    )
