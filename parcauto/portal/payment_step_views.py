"""Step 5 of the request wizard, "Paiement": VOTRE ABONNEMENT, the method and what it
needs (card iframe, bank account, payroll authorization), then "Soumettre" / "Ajouter".

One view: it parses with PaymentForm, makes one call to sales.subscription_submit
(which records the means of payment in the same transaction) and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcauto.catalog.models import PaymentMethodKind
from parcauto.catalog.selectors import product_list_for
from parcauto.catalog.templatetags.catalog_labels import billing_period
from parcauto.core.clock import now as clock_now
from parcauto.core.errors import DomainError
from parcauto.core.http import PortalRequest
from parcauto.core.money import format_money_active
from parcauto.core.params import parse_id
from parcauto.core.ratelimit import rate_limited
from parcauto.sales import services as sales
from parcauto.subscriptions.errors import SoldOut
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import (
    subscription_draft_for,
    subscription_get_for_person,
)
from parcauto.tenants.models import LegalText

from .decorators import portal_view
from .payment_forms import PaymentForm, payroll_only
from .payment_views import current_period, tokenization_for
from .subscription_forms import occasional_on_sale
from .wizard_views import STEP_URLS, Step, legal_text, step_redirect, wizard_context


def payroll_authorization(request: PortalRequest, draft: Subscription) -> str:
    """What a person authorizes by choosing payroll deduction (rule 34: written, for a
    stated purpose, revocable)."""
    return _(
        "I authorize %(organization)s to deduct from my pay the amount of this parking "
        "subscription (%(price)s, taxes included, %(frequency)s) for as long as the "
        "contract is in force. I may revoke this authorization at any time by ending "
        "the subscription."
    ) % {
        "organization": request.organization.name,
        "price": format_money_active(draft.price),
        "frequency": billing_period(draft.billing_frequency),
    }


def _render_payment(request: PortalRequest, draft: Subscription, form: PaymentForm) -> HttpResponse:
    methods = form.methods
    return render(
        request,
        "portal/subscriptions/payment.html",
        {
            "form": form,
            "subscription": draft,
            "period": current_period(draft),
            "tokenization": tokenization_for(request) if "card" in methods else None,
            "pad_agreement": legal_text(request, LegalText.Kind.PAD_AGREEMENT)
            if "pad" in methods
            else None,
            "payment_conditions": legal_text(request, LegalText.Kind.PAYMENT_CONDITIONS),
            "payroll_authorization": payroll_authorization(request, draft),
            **wizard_context(draft, Step.PAYMENT),
        },
    )


def render_sold_out(request: PortalRequest, draft: Subscription, error: SoldOut) -> HttpResponse:
    """Most answers of an opening-day rush: the waiting list and the occasional permit,
    without the payment form (there is nothing left to pay for)."""
    products = product_list_for(
        organization=request.organization,
        lot=draft.lot,
        category=draft.category,
        user=request.user,
        at=clock_now(),
    )
    return render(
        request,
        "portal/subscriptions/sold_out.html",
        {
            "subscription": draft,
            "message": error.message,
            "occasional": occasional_on_sale(list(products)),
            **wizard_context(draft, Step.PAYMENT),
        },
    )


@portal_view
@rate_limited("payment_submit")
def subscription_payment(request: PortalRequest) -> HttpResponse:
    """Step 5. "Soumettre" is safe to click twice: the second click finds the request sent
    (and records no second payment method)."""
    if not hasattr(request.user, "profile"):
        return redirect("portal:profile")
    draft = subscription_draft_for(person=request.user, organization=request.organization)
    if request.method != "POST":
        if draft is None or draft.step != Step.PAYMENT:
            return step_redirect(draft)
        if payroll_only(draft):  # no payment step: its summary sends it
            return redirect(STEP_URLS[Step.SUMMARY])
        return _render_payment(
            request, draft, PaymentForm(initial={"request": draft.pk}, subscription=draft)
        )

    pk = parse_id(request.POST.get("request"))
    target = draft if draft is not None and draft.pk == pk else None
    if target is None and pk is not None:  # already sent: a double click, or a second tab
        target = subscription_get_for_person(
            person=request.user, organization=request.organization, pk=pk
        )
    if target is None:
        return step_redirect(draft)
    if target.status == Subscription.Status.DRAFT and target.step != Step.PAYMENT:
        return step_redirect(target)
    form = PaymentForm(request.POST, request.FILES, subscription=target)
    if target.status != Subscription.Status.DRAFT:
        return redirect("portal:subscription_detail", pk=target.pk)
    if form.is_valid():
        try:
            sent = sales.subscription_submit(
                subscription=target,
                now=clock_now(),
                payment=form.payment(),
                **form.service_arguments(),
            )
        except SoldOut as error:
            return render_sold_out(request, target, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if target.status == Subscription.Status.DRAFT:  # this click sent it
                messages.success(request, submitted_message(sent, request.user.email))
            return redirect("portal:subscription_detail", pk=sent.pk)
    return _render_payment(request, target, form)


def submitted_message(subscription: Subscription, email: str) -> str:
    if subscription.status == Subscription.Status.SUBMITTED:
        return _(
            "Your subscription request has been sent. An e-mail acknowledging it is on its way "
            "to %(email)s. You will receive another e-mail once your request is processed."
        ) % {"email": email}
    message = _(
        "Your purchase is complete. Your purchase confirmation, with your contract, is on its "
        "way to %(email)s."
    ) % {"email": email}
    if subscription.payment_method == PaymentMethodKind.CARD:
        # Guide 000: the purchase stands only once the card issuer accepts the charge.
        message += " " + _(
            "This confirmation is conditional on your card issuer accepting the payment: "
            "if it is refused, the purchase is cancelled."
        )
    return message
