"""Step 4 of the request wizard, "Récapitulatif de votre abonnement".

Most permits go on to the payment step ("Continuer", guide 001). A payroll-deduction
permit has none (guide 002, step 5: "Les utilisateurs en déduction à la source n'ont pas
à procéder à cette étape"): the deduction is implied by the permit, so its summary shows
the authorization and the payment conditions and sends the request itself
("Transmettre ma demande", guide 002, step 4).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import now as clock_now
from parcauto.core.errors import DomainError
from parcauto.core.http import PortalRequest
from parcauto.core.params import parse_id
from parcauto.core.ratelimit import rate_limit_hit
from parcauto.sales import services as sales
from parcauto.subscriptions.errors import SoldOut
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import subscription_draft_for, subscription_get_for_person
from parcauto.subscriptions.services import drafts
from parcauto.tenants.models import LegalText

from .decorators import portal_view
from .payment_forms import PayrollSummaryForm, payroll_only
from .payment_step_views import payroll_authorization, render_sold_out, submitted_message
from .wizard_views import (
    STEP_URLS,
    Step,
    legal_text,
    proof_of,
    step_number,
    step_redirect,
    wizard_context,
)


def _render_summary(
    request: PortalRequest,
    draft: Subscription,
    *,
    error: str | None = None,
    form: PayrollSummaryForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "subscription": draft,
        "vehicles": list(draft.vehicles.all()),
        "proof": proof_of(draft),
        "error": error,
        "payroll_form": form,
        **wizard_context(draft, Step.SUMMARY),
    }
    if form is not None:
        context["payment_conditions"] = legal_text(request, LegalText.Kind.PAYMENT_CONDITIONS)
    return render(request, "portal/subscriptions/summary.html", context)


def _payroll_form(
    request: PortalRequest, draft: Subscription, data: Any = None
) -> PayrollSummaryForm:
    return PayrollSummaryForm(
        data, subscription=draft, authorization=payroll_authorization(request, draft)
    )


@portal_view
def subscription_summary(request: PortalRequest) -> HttpResponse:
    if not hasattr(request.user, "profile"):
        return redirect("portal:profile")
    draft = subscription_draft_for(person=request.user, organization=request.organization)
    pk = parse_id(request.POST.get("request")) if request.method == "POST" else None
    if draft is None and pk is not None:
        # "Transmettre ma demande" clicked twice: the second click finds the request sent.
        sent = subscription_get_for_person(
            person=request.user, organization=request.organization, pk=pk
        )
        if sent is not None and sent.status != Subscription.Status.DRAFT:
            return redirect("portal:subscription_detail", pk=sent.pk)
    if draft is None or step_number(draft.step) < step_number(Step.SUMMARY):
        return step_redirect(draft)
    payroll = payroll_only(draft)
    if request.method != "POST":
        return _render_summary(
            request, draft, form=_payroll_form(request, draft) if payroll else None
        )
    if payroll:
        return _payroll_submit(request, draft)
    try:
        drafts.subscription_draft_review(subscription=draft, now=clock_now())
    except DomainError as refused:
        return _render_summary(request, draft, error=str(refused.message))
    return redirect(STEP_URLS[Step.PAYMENT])


def _payroll_submit(request: PortalRequest, draft: Subscription) -> HttpResponse:
    """ "Transmettre ma demande": reviewed and sent in one click, the deduction recorded
    with the request (sales.subscription_submit), as the payment step records a card."""
    rate_limit_hit(request, action="payment_submit")  # it sends, as "Soumettre" does
    form = _payroll_form(request, draft, request.POST)
    if form.is_valid():
        now = clock_now()
        try:
            drafts.subscription_draft_review(subscription=draft, now=now)
            sent = sales.subscription_submit(
                subscription=draft,
                payment_method=PaymentMethodKind.PAYROLL,
                accepted_payment_conditions=form.cleaned_data["accepted_payment_conditions"],
                accepted_charge_after_approval=False,  # nothing is charged to the person
                payment=form.payment(),
                now=now,
            )
        except SoldOut as error:
            return render_sold_out(request, draft, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, submitted_message(sent, request.user.email))
            return redirect("portal:subscription_detail", pk=sent.pk)
    return _render_summary(request, draft, form=form)
