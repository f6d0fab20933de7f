"""One request: everything the person gave, its history, and the decision on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parcauto.access.events import access_events_of
from parcauto.accounts.models import Profile
from parcauto.audit.models import AuditEvent
from parcauto.audit.services import audit_log
from parcauto.billing.models import Invoice
from parcauto.catalog.models import PermitProduct
from parcauto.core.clock import local_today, now
from parcauto.core.dates import format_date
from parcauto.core.http import private_download
from parcauto.core.money import format_money_active
from parcauto.sales.services import subscription_approve, subscription_refuse
from parcauto.subscriptions.errors import FieldErrors, SubscriptionError
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.selectors import QueueFilters, approval_queue

from ..forms import RefuseForm
from .base import StaffRequest, backoffice_view, layout_context, staff, staff_organizations

# What each audited action means, for the request's history.
HISTORY_LABELS = {
    "subscription.submitted": gettext_lazy("Request sent"),
    "subscription.approved": gettext_lazy("Approved"),
    "subscription.refused": gettext_lazy("Refused"),
    "subscription.cancelled": gettext_lazy("Withdrawn by the person"),
    "subscription.activated": gettext_lazy("Activated"),
    "subscription.ending": gettext_lazy("Cancellation confirmed: ending"),
    "subscription.ending_withdrawn": gettext_lazy("Cancellation withdrawn"),
    "subscription.ended": gettext_lazy("Ended"),
    "subscription.attachment_downloaded": gettext_lazy("File downloaded by staff"),
}


def _request_or_404(request: StaffRequest, pk: int) -> Subscription:
    """A request of one of the staff member's institutions; any other answers 404."""
    every_status = QueueFilters(status=None)
    found = (
        approval_queue(organizations=staff_organizations(request), filters=every_status)
        .prefetch_related("consents__legal_text")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _history(subscription: Subscription) -> list[dict[str, Any]]:
    """What happened to the request once sent (the wizard's draft saves are left out)."""
    events = (
        AuditEvent.objects.filter(
            organization_id=subscription.organization_id,
            target_type=Subscription._meta.label_lower,
            target_id=str(subscription.pk),
        )
        .exclude(action="subscription.draft_saved")
        .select_related("actor")
    )
    return [
        {
            "event": event,
            "label": HISTORY_LABELS.get(event.action, event.action),
            "reason": event.data.get("reason", "") if isinstance(event.data, dict) else "",
        }
        for event in events.order_by("created_at", "id")
    ]


def _billing_label(value: str) -> str:
    labels = dict(PermitProduct.Billing.choices)
    return str(labels.get(value, value))


def _render_detail(
    request: StaffRequest,
    subscription: Subscription,
    refuse_form: RefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        profile: Profile | None = subscription.person.profile
    except Profile.DoesNotExist:
        profile = None
    return render(
        request,
        "backoffice/request_detail.html",
        {
            **layout_context(request),
            "subscription": subscription,
            "profile": profile,
            "vehicles": list(subscription.vehicles.all()),
            "attachments": list(subscription.attachments.all()),
            "consents": sorted(subscription.consents.all(), key=lambda c: c.accepted_at),
            "history": _history(subscription),
            "access_events": access_events_of(subscription=subscription),
            "invoices": list(
                Invoice.objects.filter(
                    organization_id=subscription.organization_id, subscription=subscription
                ).order_by("-due_date", "-number")
            ),
            "billing": _billing_label(subscription.billing_frequency),
            "price": format_money_active(subscription.price),
            "today": local_today(),
            "may_decide": subscription.is_pending
            and staff(request).may_decide(subscription.organization_id),
            "refuse_form": refuse_form or RefuseForm(),
        },
        status=status,
    )


@require_GET
@backoffice_view
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _request_or_404(request, pk))


def _decidable_or_404(request: StaffRequest, pk: int) -> Subscription:
    subscription = _request_or_404(request, pk)
    if not staff(request).may_decide(subscription.organization_id):
        raise PermissionDenied
    return subscription


@require_POST
@backoffice_view
def approve(request: StaffRequest, pk: int) -> HttpResponse:
    subscription = _decidable_or_404(request, pk)
    try:
        approved = subscription_approve(subscription=subscription, actor=request.user, now=now())
    except SubscriptionError as refused:
        messages.error(request, refused.message)
        return redirect("backoffice:request", pk=pk)
    if approved.status == Subscription.Status.ACTIVE:
        message = _("Request %(number)s approved: the subscription is active.")
    else:
        message = _("Request %(number)s approved: pending until %(date)s.")
    messages.success(
        request,
        message % {"number": approved.contract_number, "date": format_date(approved.start_date)},
    )
    return redirect("backoffice:request", pk=pk)


@require_POST
@backoffice_view
def refuse(request: StaffRequest, pk: int) -> HttpResponse:
    subscription = _decidable_or_404(request, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, subscription, form, status=400)
    try:
        refused = subscription_refuse(
            subscription=subscription,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            now=now(),
        )
    except FieldErrors as invalid:
        for field, message in invalid.errors.items():
            form.add_error(field if field in form.fields else None, str(message))
        return _render_detail(request, subscription, form, status=400)
    except SubscriptionError as not_allowed:
        messages.error(request, not_allowed.message)
        return redirect("backoffice:request", pk=pk)
    messages.success(
        request,
        _("Request %(number)s refused: the person is told by e-mail.")
        % {"number": refused.contract_number},
    )
    return redirect("backoffice:request", pk=pk)


@require_GET
@backoffice_view
def attachment(request: StaffRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of the request, downloaded (never shown inline), by its institution's staff."""
    subscription = _request_or_404(request, pk)
    found = Attachment.objects.filter(
        organization_id=subscription.organization_id, subscription=subscription, pk=attachment_pk
    ).first()
    if found is None:
        raise Http404
    response = private_download(
        found.file, stem=found.download_stem, content_type=found.content_type
    )
    # Who opened a person's document is worth knowing (Law 25); not who viewed the page.
    audit_log(
        action="subscription.attachment_downloaded",
        actor=request.user,
        organization=subscription.organization,
        target=subscription,
        data={"attachment": found.pk},
    )
    return response
