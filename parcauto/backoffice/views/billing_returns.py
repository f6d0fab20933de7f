"""The bank's returned-debit report, uploaded for one institution.

Applying returns moves money (invoices fail, are retried, then suspended): operator
admins and the institution's managers only, as for refunds; agents are refused.
`pad_returns_import` checks the whole report before changing anything and audits it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from parcauto.billing.services.collect_pad import pad_returns_import
from parcauto.core.clock import now
from parcauto.payments.errors import CollectionError
from parcauto.payments.pad_returns import RETURNS_COLUMNS
from parcauto.tenants.models import Organization

from ..forms import PadReturnsForm
from .base import StaffRequest, backoffice_view, staff, staff_organizations
from .billing import billing_context


def returns_organizations(request: StaffRequest) -> QuerySet[Organization]:
    """The institutions whose returned debits this staff member may apply."""
    access = staff(request)
    visible = staff_organizations(request)
    return visible.filter(pk__in=[o.pk for o in visible if access.may_edit(o.pk)])


@require_http_methods(["GET", "POST"])
@backoffice_view
def returns(request: StaffRequest) -> HttpResponse:
    organizations = returns_organizations(request)
    if not organizations.exists():
        raise PermissionDenied
    if request.method != "POST":
        return _render(request, PadReturnsForm(organizations=organizations))
    form = PadReturnsForm(request.POST, request.FILES, organizations=organizations)
    if not form.is_valid():
        return _render(request, form, status=400)
    organization: Organization = form.cleaned_data["organization"]
    try:
        returned = pad_returns_import(
            organization=organization,
            content=form.cleaned_data["report"],
            now=now(),
            actor=request.user,
        )
    except CollectionError as refused:
        form.add_error("report", str(refused.message))
        return _render(request, form, status=400)
    messages.success(
        request,
        ngettext(
            "%(count)d returned debit applied for %(institution)s.",
            "%(count)d returned debits applied for %(institution)s.",
            returned,
        )
        % {"count": returned, "institution": organization.name},
    )
    return redirect("backoffice:billing_returns")


def _render(request: StaffRequest, form: PadReturnsForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "backoffice/billing/returns.html",
        billing_context(request, form=form, header=",".join(RETURNS_COLUMNS)),
        status=status,
    )
