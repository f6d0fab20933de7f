"""Billing runs, failed payments to follow up, and the collection files sent to banks.

A run covers every institution: operator admins see its totals and error; institution
staff see the run's dates and status, and what it did for their own institutions only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from parcauto.audit.services import audit_log
from parcauto.billing.models import BillingRun
from parcauto.billing.reports import (
    STALE_ATTEMPT_AFTER,
    InstitutionRunCounts,
    billing_run_counts,
    billing_runs,
    collection_files,
    failed_payments,
)
from parcauto.core.clock import now
from parcauto.core.http import private_download

from ..forms import InstitutionFilterForm
from .base import StaffRequest, backoffice_view, layout_context, staff, staff_organizations

# The steps of a run in their order (`BillingRun.phase`, set by `billing.services.run`).
PHASES = {
    "settle": gettext_lazy("Settling payments left without an answer, debits and deductions"),
    "invoice": gettext_lazy("Creating the invoices"),
    "charge": gettext_lazy("Collecting the payments"),
    "interest": gettext_lazy("Charging late interest"),
    "overdue": gettext_lazy("Suspending and cancelling unpaid contracts"),
    "files": gettext_lazy("Writing the collection files"),
}

PAGE_SIZE = 50
RUNS_PAGE_SIZE = 25
# While a run is going, its page asks for fresh counters this often (htmx polling).
PROGRESS_EVERY_SECONDS = 5


def billing_context(request: StaffRequest, **context: Any) -> dict[str, Any]:
    visible = staff_organizations(request)
    return {
        **layout_context(request),
        "several_institutions": staff(request).operator_admin or visible.count() > 1,
        **context,
    }


@require_GET
@backoffice_view
def runs(request: StaffRequest) -> HttpResponse:
    page = Paginator(billing_runs(), RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    operator = staff(request).operator_admin
    counts = (
        {}
        if operator
        else billing_run_counts(
            run_dates=[run.run_date for run in page], organizations=staff_organizations(request)
        )
    )
    return render(
        request,
        "backoffice/billing/runs.html",
        billing_context(
            request,
            page=page,
            rows=[(run, _summed(counts.get(run.run_date, []))) for run in page],
            operator=operator,
        ),
    )


def _summed(counts: list[InstitutionRunCounts]) -> dict[str, int]:
    """A run's counts over the staff member's institutions together."""
    return {name: sum(getattr(c, name) for c in counts) for name in _COUNTED}


_COUNTED = ("invoices_created", "charges_approved", "charges_declined", "files_created")


@require_GET
@backoffice_view
def run(request: StaffRequest, pk: int) -> HttpResponse:
    """A run's progress; htmx asks again for the progress part alone while it runs."""
    found = get_object_or_404(BillingRun, pk=pk)
    counts = billing_run_counts(
        run_dates=[found.run_date], organizations=staff_organizations(request)
    ).get(found.run_date, [])
    context = billing_context(
        request,
        run=found,
        institution_counts=counts,
        operator=staff(request).operator_admin,
        running=found.status == BillingRun.Status.RUNNING,
        phase=PHASES.get(found.phase, found.phase),
        phase_number=list(PHASES).index(found.phase) + 1 if found.phase in PHASES else 0,
        phase_count=len(PHASES),
        poll_seconds=PROGRESS_EVERY_SECONDS,
    )
    partial = request.headers.get("HX-Request") == "true"
    template = "_run_progress.html" if partial else "run.html"
    response = render(request, f"backoffice/billing/{template}", context)
    # One URL, two answers: a browser cache must not hand the part back as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@backoffice_view
def failed(request: StaffRequest) -> HttpResponse:
    visible = staff_organizations(request)
    form = InstitutionFilterForm(request.GET, organizations=visible)
    invoices = failed_payments(organizations=form.organizations(visible), now=now())
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/billing/failed.html",
        billing_context(request, form=form, page=page, stale_hours=STALE_ATTEMPT_AFTER.days * 24),
    )


@require_GET
@backoffice_view
def files(request: StaffRequest) -> HttpResponse:
    visible = staff_organizations(request)
    form = InstitutionFilterForm(request.GET, organizations=visible)
    found = collection_files(organizations=form.organizations(visible))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    access = staff(request)
    return render(
        request,
        "backoffice/billing/files.html",
        billing_context(
            request,
            form=form,
            page=page,
            may_import_returns=access.may_edit_somewhere,
            downloadable={o.pk for o in visible if access.may_edit(o.pk)},
        ),
    )


@require_GET
@backoffice_view
def file_download(request: StaffRequest, pk: int) -> FileResponse:
    """A collection file holds whole bank account numbers: the managers of its institution
    and operator admins only (`accounts.roles`), and each download is audited."""
    found = collection_files(organizations=staff_organizations(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    if not staff(request).may_edit(found.organization_id):
        raise PermissionDenied
    response = private_download(
        found.file, stem=found.download_stem, content_type=found.content_type
    )
    audit_log(
        action="collection_file.downloaded",
        actor=request.user,
        organization=found.organization,
        target=found,
        data={"kind": found.kind, "collection_date": found.collection_date.isoformat()},
    )
    return response
