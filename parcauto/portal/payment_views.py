"""What a contract pays, on the portal: the first period's price (payment step), the card
iframe, "Mettre à jour la carte de crédit", "CALENDRIER DE PERCEPTION" and the receipts.

Contracts and invoices are found through the person and the portal's institution:
anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from parcauto.billing import receipts
from parcauto.billing.models import Invoice
from parcauto.billing.periods import collection_calendar
from parcauto.billing.selectors import collection_calendar_for
from parcauto.billing.tasks import collect_overdue_invoices
from parcauto.billing.taxes import tax_split_on
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest, private_pdf
from parcauto.core.i18n import active_language
from parcauto.core.money import TaxSplit
from parcauto.core.ratelimit import rate_limited
from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import CardRejected, GatewayError, HostedTokenization
from parcauto.payments.selectors import payment_method_current
from parcauto.payments.services.cards import card_method_replace
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import subscription_get_for_person

from .decorators import portal_view
from .documents import document_language
from .payment_forms import CardUpdateForm

# A card can be replaced while the contract may still be charged.
CARD_UPDATABLE = (
    Subscription.Status.SUBMITTED,
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,  # the way out: a card that pays what is overdue
    Subscription.Status.ENDING,
)
# Contracts with charges behind or ahead of them.
CALENDAR_STATUSES = (
    Subscription.Status.APPROVED,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
    Subscription.Status.ENDING,
    Subscription.Status.ENDED,
    Subscription.Status.PAYMENT_FAILED,
)
CALENDAR_MONTHS_AHEAD = 12
CARD_UNREAD = gettext_lazy(
    "Your card could not be read. Type in the card number and the expiry date, then submit again."
)
CARD_REFUSED = gettext_lazy(
    "Your card was refused: nothing was changed. Check the number and the expiry date, or use "
    "another card."
)
GATEWAY_DOWN = gettext_lazy(
    "The payment service did not answer: nothing was changed. Please try again in a few minutes."
)


@dataclass(frozen=True)
class FirstPeriod:
    """ "Prix pour la période en cours": what the first charge will be, and for which days."""

    amount: Decimal
    start: dt.date
    end: dt.date | None
    taxes: TaxSplit | None  # None: the product is tax-exempt


def current_period(subscription: Subscription) -> FirstPeriod | None:
    charges = collection_calendar(subscription, horizon=subscription.start_date)
    if not charges:
        return None
    first = charges[0]
    start = first.period.start if first.period else first.due_on
    return FirstPeriod(
        amount=first.amount,
        start=start,
        end=first.period.end if first.period else None,
        taxes=tax_split_on(amount=first.amount, day=start, taxable=True)
        if subscription.taxable
        else None,
    )


def tokenization_for(request: PortalRequest) -> HostedTokenization:
    """The gateway's card iframe, answering this page's origin in the page's language."""
    origin = f"{request.scheme}://{request.get_host()}"
    return get_gateway().hosted_tokenization(page_origin=origin, language=active_language())


def _own_contract(request: PortalRequest, pk: int) -> Subscription:
    subscription = subscription_get_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    if subscription is None or subscription.contract_number is None:
        raise Http404
    return subscription


def card_updatable(subscription: Subscription) -> bool:
    return (
        subscription.payment_method == PaymentMethodKind.CARD
        and subscription.status in CARD_UPDATABLE
    )


# --- "Mettre à jour la carte de crédit" ----------------------------------------------------


@portal_view
@rate_limited("card_update")
def subscription_card_update(request: PortalRequest, pk: int) -> HttpResponse:
    """The gateway's iframe again; the new card replaces the stored one once verified."""
    subscription = _own_contract(request, pk)
    if not card_updatable(subscription):
        raise Http404
    form = CardUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _card_replaced(request, subscription, form):
        # Unpaid charges are tried on the new card at once (a suspended contract's
        # access comes back as soon as they are paid).
        collect_overdue_invoices.enqueue(
            organization_id=subscription.organization_id, subscription_id=subscription.pk
        )
        messages.success(request, _("Your credit card has been updated."))
        return redirect("portal:subscription_detail", pk=subscription.pk)
    return render(
        request,
        "portal/subscriptions/card_update.html",
        {
            "subscription": subscription,
            "form": form,
            "method": payment_method_current(subscription_id=subscription.pk),
            "tokenization": tokenization_for(request),
        },
    )


def _card_replaced(
    request: PortalRequest, subscription: Subscription, form: CardUpdateForm
) -> bool:
    token = form.cleaned_data["card_token"]
    if not token:  # no script, or the card was never typed in
        form.add_error(None, str(CARD_UNREAD))
        return False
    try:
        card_method_replace(
            subscription=subscription, temporary_token=token, actor=request.user, now=clock_now()
        )
    except CardRejected:
        # The gateway's own wording may be English: ours says what to do.
        form.add_error(None, str(CARD_REFUSED))
    except GatewayError:
        form.add_error(None, str(GATEWAY_DOWN))
    else:
        return True
    return False


# --- "CALENDRIER DE PERCEPTION" and receipts -------------------------------------------------


@require_GET
@portal_view
def subscription_calendar(request: PortalRequest, pk: int) -> HttpResponse:
    """Past charges (with their receipt) and the scheduled ones, date by date."""
    subscription = _own_contract(request, pk)
    if subscription.status not in CALENDAR_STATUSES:
        raise Http404
    today = local_today(clock_now())
    horizon = subscription.end_date or _months_later(today, CALENDAR_MONTHS_AHEAD)
    lines = collection_calendar_for(subscription=subscription, horizon=horizon)
    labels = dict(Invoice.Status.choices)
    return render(
        request,
        "portal/subscriptions/calendar.html",
        {
            "subscription": subscription,
            "lines": [{"line": line, "status": labels.get(line.status, "")} for line in lines],
            "horizon": horizon,
        },
    )


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


@require_GET
@portal_view
def subscription_receipt(request: PortalRequest, pk: int, number: int) -> HttpResponse:
    """A receipt (paid) or invoice as PDF: French, or English for a person who chose it."""
    subscription = _own_contract(request, pk)
    invoice = Invoice.objects.filter(subscription=subscription, number=number).first()
    if invoice is None or invoice.status in (Invoice.Status.SCHEDULED, Invoice.Status.VOID):
        raise Http404
    language = document_language(request, subscription)
    return private_pdf(
        receipts.receipt_pdf(invoice, language),
        filename=receipts.receipt_filename(invoice, language),
    )
