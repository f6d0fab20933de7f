"""The approval queue: requests of the staff member's institutions, oldest first."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from parcauto.core.clock import now
from parcauto.sales.services import subscription_approve_many
from parcauto.subscriptions.selectors import approval_queue

from ..forms import BulkApproveForm, QueueFilterForm
from .base import (
    StaffRequest,
    any_staff_view,
    backoffice_view,
    deciding_organizations,
    layout_context,
    staff,
    staff_organizations,
)

PAGE_SIZE = 50


@require_GET
@any_staff_view
def home(request: StaffRequest) -> HttpResponse:
    """The requests for the office's staff; the patrol page for a patrol agent."""
    if not staff(request).works_in_office:
        return redirect("backoffice:patrol")
    return redirect("backoffice:queue")


@require_GET
@backoffice_view
def queue(request: StaffRequest) -> HttpResponse:
    visible = staff_organizations(request)
    form = QueueFilterForm(request.GET, organizations=visible)
    requests = approval_queue(organizations=form.organizations(visible), filters=form.filters())
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    deciding = set(deciding_organizations(request).values_list("pk", flat=True))
    return render(
        request,
        "backoffice/queue.html",
        {
            **layout_context(request),
            "form": form,
            "page": page,
            "deciding": deciding,
            "several_institutions": visible.count() > 1,
            "select_all": request.GET.get("select") == "all",
            "query": _query_without(request.GET, "page", "select"),
        },
    )


@require_POST
@backoffice_view
def bulk_approve(request: StaffRequest) -> HttpResponse:
    """Ticked requests: a confirmation page first, then the approvals and their summary."""
    form = BulkApproveForm(request.POST, organizations=deciding_organizations(request))
    query = _query_without(QueryDict(request.POST.get("query", "")), "page", "select")
    back = f"{reverse('backoffice:queue')}?{query}" if query else reverse("backoffice:queue")
    if not form.is_valid():
        for error in form.errors.get("subscriptions", []):
            messages.error(request, str(error))
        return redirect(back)
    selected = list(form.cleaned_data["subscriptions"])
    if "confirm" not in request.POST:
        return render(
            request,
            "backoffice/bulk_confirm.html",
            {**layout_context(request), "form": form, "selected": selected, "back": back},
        )
    approved = subscription_approve_many(subscriptions=selected, actor=request.user, now=now())
    skipped = len(selected) - len(approved)
    summary = ngettext(
        "%(count)d request approved", "%(count)d requests approved", len(approved)
    ) % {"count": len(approved)}
    if skipped:
        summary += "; " + ngettext(
            "%(count)d was no longer pending", "%(count)d were no longer pending", skipped
        ) % {"count": skipped}
    (messages.success if approved else messages.warning)(request, summary)
    return redirect(back)


def _query_without(query: QueryDict, *names: str) -> str:
    """The filters as a query string (page and selection dropped), safe to put in a URL."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()
