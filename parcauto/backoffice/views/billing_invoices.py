"""Invoices: a search; one invoice with its line and taxes, every attempt to collect it
and its refunds; and the refund form for those who may give money back.

Refunding is a money decision: operator admins and the institution's managers only, not
its agents (agents decide on requests, `accounts.roles`, but do not move money). The
amount is asked twice (form, then a confirmation page); `refund_create` checks the cap
again and audits the refund.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.billing.models import Invoice, Refund
from parcauto.billing.reports import invoice_search, invoices_of
from parcauto.billing.services.refunds import refund_create, refundable
from parcauto.core.clock import now
from parcauto.core.errors import DomainError
from parcauto.core.money import format_money_active

from ..forms import InvoiceSearchForm, RefundForm
from .base import StaffRequest, backoffice_view, staff, staff_organizations
from .billing import PAGE_SIZE, billing_context


def _invoice_or_404(request: StaffRequest, pk: int) -> Invoice:
    found = invoices_of(organizations=staff_organizations(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _render(
    request: StaffRequest, invoice: Invoice, form: RefundForm | None = None, status: int = 200
) -> HttpResponse:
    left = refundable(invoice)
    return render(
        request,
        "backoffice/billing/invoice.html",
        billing_context(
            request,
            invoice=invoice,
            attempts=list(invoice.attempts.all()),
            refunds=list(invoice.refunds.all()),
            refundable=left,
            may_refund=staff(request).may_edit(invoice.organization_id) and left > 0,
            form=form or RefundForm(refundable=left),
        ),
        status=status,
    )


@require_GET
@backoffice_view
def invoices(request: StaffRequest) -> HttpResponse:
    visible = staff_organizations(request)
    form = InvoiceSearchForm(request.GET, organizations=visible)
    found = invoice_search(
        organizations=form.organizations(visible),
        text=form.value("text"),
        status=form.value("status"),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "backoffice/billing/invoices.html", billing_context(request, form=form, page=page)
    )


@require_GET
@backoffice_view
def invoice(request: StaffRequest, pk: int) -> HttpResponse:
    return _render(request, _invoice_or_404(request, pk))


@require_POST
@backoffice_view
def refund(request: StaffRequest, pk: int) -> HttpResponse:
    found = _invoice_or_404(request, pk)
    if not staff(request).may_edit(found.organization_id):
        raise PermissionDenied
    form = RefundForm(request.POST, refundable=refundable(found))
    if not form.is_valid():
        return _render(request, found, form, status=400)
    amount: Decimal = form.cleaned_data["amount"]
    if "confirm" not in request.POST:
        return render(
            request,
            "backoffice/billing/refund_confirm.html",
            billing_context(
                request,
                invoice=found,
                form=form,
                amount=format_money_active(amount),
                reason=form.cleaned_data["reason"],
            ),
        )
    try:
        made = refund_create(
            invoice=found,
            amount=amount,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            now=now(),
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("backoffice:billing_invoice", pk=pk)
    said = {"amount": format_money_active(amount), "number": found.number}
    if made.status == Refund.Status.REFUNDED:
        messages.success(request, _("Refund of %(amount)s on invoice %(number)s made.") % said)
    elif made.status == Refund.Status.FAILED:
        messages.error(
            request,
            _("The payment gateway declined the refund of %(amount)s on invoice %(number)s.")
            % said,
        )
    else:
        # A debit or payroll deduction is given back outside the gateway; a gateway that
        # did not answer is asked again later by the refund's order id.
        messages.warning(
            request,
            _("Refund of %(amount)s on invoice %(number)s recorded; it is not confirmed yet.")
            % said,
        )
    return redirect("backoffice:billing_invoice", pk=pk)
