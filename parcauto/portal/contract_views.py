"""MON ABONNEMENT: the person's requests and contracts, their details, withdrawing a
pending request, the proof file and MON CONTRAT (the PDF).

Objects are found through subscriptions.selectors with the signed-in person and the
portal's institution: anything else is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcauto.access.models import AccessPass
from parcauto.access.qr import pass_code_svg
from parcauto.access.selectors import pass_for_subscription, pass_token_or_none
from parcauto.billing.selectors import balance_for
from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.dates import format_date
from parcauto.core.errors import DomainError
from parcauto.core.http import PortalRequest, private_download, private_pdf
from parcauto.payments.selectors import payment_method_current
from parcauto.sales import services as sales
from parcauto.subscriptions import contract
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import (
    CONTRACT_STATUSES,
    subscription_draft_for,
    subscription_get_for_person,
    subscription_list_for_person,
)

from .decorators import portal_view
from .documents import document_language
from .payment_views import CALENDAR_STATUSES, card_updatable
from .wizard_views import proof_of, step_number, wizard_steps

# --- MON ABONNEMENT ---------------------------------------------------------------------


def own_subscription(request: PortalRequest, pk: int) -> Subscription:
    """One of the signed-in person's contracts on this portal, or 404."""
    subscription = subscription_get_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    if subscription is None:
        raise Http404
    return subscription


@portal_view
def subscription_list(request: PortalRequest) -> HttpResponse:
    """ "MON ABONNEMENT": straight to the details when there is one request, else the list."""
    subscriptions = list(
        subscription_list_for_person(person=request.user, organization=request.organization)
    )
    draft = subscription_draft_for(person=request.user, organization=request.organization)
    if len(subscriptions) == 1 and draft is None:
        return redirect("portal:subscription_detail", pk=subscriptions[0].pk)
    return render(
        request,
        "portal/subscriptions/list.html",
        {
            "subscriptions": subscriptions,
            "draft": draft,
            "draft_step": step_number(draft.step) if draft else 0,
            "draft_step_count": len(wizard_steps(draft)),
        },
    )


def status_label(subscription: Subscription, today: dt.date) -> str:
    """ "En attente jusqu'au 1 mai" for an approved contract that starts later."""
    if subscription.status == Subscription.Status.APPROVED:
        start = subscription.start_date
        return _("Pending until %(date)s") % {
            "date": format_date(start, year=start.year != today.year)
        }
    return str(subscription.get_status_display())


def status_message(subscription: Subscription) -> str:
    start = format_date(subscription.start_date)
    end = format_date(subscription.end_date) if subscription.end_date else ""
    Status = Subscription.Status
    return {
        Status.SUBMITTED: _(
            "Your subscription is currently awaiting approval. You will receive an e-mail "
            "when your request has been processed by our service centre."
        ),
        Status.APPROVED: (
            _("Your subscription has been approved. It starts on %(date)s.")
            if subscription.product.approval_required
            # Guide 000: sold without approval, it is a purchase, not an approval.
            else _("Your purchase is confirmed. Your subscription starts on %(date)s.")
        )
        % {"date": start},
        Status.ACTIVE: _("Your subscription is active."),
        Status.SUSPENDED: _(
            "Your subscription is suspended: a payment is overdue. Access to the parking lot "
            "is refused until it is paid; it comes back as soon as the payment goes through."
        ),
        Status.ENDING: _("Your subscription ends on %(date)s.") % {"date": end},
        Status.ENDED: _("This subscription has ended."),
        Status.REFUSED: _("Your subscription request was refused."),
        Status.CANCELLED: _("This request was cancelled: nothing will be charged."),
        Status.PAYMENT_FAILED: _("The payment was refused: this contract is cancelled."),
    }.get(Status(subscription.status), "")


@portal_view
def subscription_detail(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Détails de l'abonnement", as the guides show it."""
    subscription = own_subscription(request, pk)
    return render(
        request,
        "portal/subscriptions/detail.html",
        {
            "subscription": subscription,
            "vehicles": list(subscription.vehicles.all()),
            "proof": proof_of(subscription),
            "status_label": status_label(subscription, local_today(clock_now())),
            "status_message": status_message(subscription),
            "has_contract": subscription.status in CONTRACT_STATUSES,
            "access_pass": pass_for_subscription(subscription=subscription),
            "balance": balance_for(subscription=subscription),
            "method": payment_method_current(subscription_id=subscription.pk),
            "card_updatable": card_updatable(subscription),
            "has_calendar": subscription.status in CALENDAR_STATUSES,
            "other_requests": subscription_list_for_person(
                person=request.user, organization=request.organization
            )
            .exclude(pk=subscription.pk)
            .exists(),
        },
    )


@portal_view
def subscription_cancel(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Annuler cette demande de service": only while the request awaits approval."""
    subscription = own_subscription(request, pk)
    if not subscription.is_pending:
        messages.error(request, _("Only a request awaiting approval can be withdrawn."))
        return redirect("portal:subscription_detail", pk=subscription.pk)
    if request.method == "POST":
        try:
            sales.subscription_cancel_pending(
                subscription=subscription, actor=request.user, now=clock_now()
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("Your request has been cancelled. Nothing will be charged.")
            )
        return redirect("portal:subscription_detail", pk=subscription.pk)
    return render(request, "portal/subscriptions/cancel.html", {"subscription": subscription})


@require_GET
@portal_view
def subscription_attachment(request: PortalRequest, pk: int, attachment_pk: int) -> FileResponse:
    """The person's own proof file, as a download, never rendered by the browser."""
    subscription = subscription_get_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    if subscription is None:  # the request being written counts too (step 3 shows it)
        draft = subscription_draft_for(person=request.user, organization=request.organization)
        subscription = draft if draft is not None and draft.pk == pk else None
    if subscription is None:
        raise Http404
    attachment = subscription.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return private_download(
        attachment.file, stem=attachment.download_stem, content_type=attachment.content_type
    )


@require_GET
@portal_view
def subscription_contract(request: PortalRequest, pk: int) -> HttpResponse:
    """ "MON CONTRAT": French; the English copy only for a person who chose English."""
    subscription = own_subscription(request, pk)
    if subscription.status not in CONTRACT_STATUSES:
        raise Http404
    language = document_language(request, subscription)
    access_pass = pass_for_subscription(subscription=subscription)
    code = ""
    if access_pass is not None and access_pass.state != AccessPass.State.VOIDED:
        with translation.override(language):
            code = pass_code_svg(pass_token_or_none(access_pass))
    return private_pdf(
        contract.contract_pdf(subscription, language, access_code_svg=code),
        filename=contract.contract_filename(subscription, language),
    )
