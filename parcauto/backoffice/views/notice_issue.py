"""Issuing a claim notice on patrol: from a plate check, or typed in full; then the
issued notice with its two printouts (letter, and the 80 mm strip of a mobile printer).

For those who may patrol the institution (`StaffAccess.may_patrol`: its patrol agents and
managers, the operator): a check or notice of any other institution answers 404, as if it
did not exist, and so does one of a lot outside those a patrol agent's role names
(`StaffAccess.patrol_lot_ids`); a staff member who patrols nowhere gets 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import now
from parcauto.core.http import private_pdf
from parcauto.enforcement.errors import EnforcementError, NoticeRefused
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, PlateCheck
from parcauto.enforcement.notice_selectors import notices_recent_by_agent
from parcauto.enforcement.printing import Layout, notice_filename, notice_pdf
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from parcauto.tenants.models import Organization

from ..notice_forms import NoticeFromCheckForm, NoticeNewForm
from .base import StaffRequest, layout_context, patrol_lots, patrol_view, patrolled


def _check_or_404(request: StaffRequest, pk: int) -> PlateCheck:
    checks = PlateCheck.objects.select_related("lot", "organization", "subscription")
    return get_object_or_404(patrolled(request, checks), pk=pk)


def _notice_or_404(request: StaffRequest, pk: int) -> ClaimNotice:
    notices = ClaimNotice.objects.select_related("lot", "organization", "agent")
    return get_object_or_404(patrolled(request, notices), pk=pk)


def _page(request: StaffRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    recent = notices_recent_by_agent(agent=request.user, lots=patrol_lots(request))
    return render(
        request,
        template,
        {**layout_context(request), "recent_notices": list(recent), **context},
        status=status,
    )


def _issue(
    request: StaffRequest,
    form: NoticeFromCheckForm | NoticeNewForm,
    *,
    organization: Organization,
    draft: NoticeDraft,
    check: PlateCheck | None = None,
) -> ClaimNotice | None:
    """The notice, or None with the refusal on the form."""
    try:
        return notice_issue(
            organization=organization,
            draft=draft,
            agent=request.user,
            now=now(),
            plate_check=check,
            photos=form.cleaned_data["photos"],
        )
    except NoticeRefused as refused:
        form.add_domain_error(refused.code, str(refused.message), refused.field)
    except EnforcementError as refused:
        form.add_domain_error(refused.code, str(refused.message))
    return None


@require_http_methods(["GET", "POST"])
@patrol_view
def notice_issue_from_check(request: StaffRequest, pk: int) -> HttpResponse:
    check = _check_or_404(request, pk)
    existing = ClaimNotice.objects.filter(plate_check=check).first()
    if existing is not None:
        return redirect("backoffice:notice_issued", existing.pk)
    posted = request.method == "POST"
    form = NoticeFromCheckForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        check_reason=check.reason,
    )
    if posted and form.is_valid():
        draft = NoticeDraft(
            lot=check.lot,
            plate=check.plate,
            jurisdiction=check.jurisdiction or "QC",
            reason=form.cleaned_data["reason"],
            observed_at=check.read_at,
            zone=form.cleaned_data["zone"],
            vehicle_make=form.cleaned_data["vehicle_make"],
            vehicle_colour=form.cleaned_data["vehicle_colour"],
            comment=form.cleaned_data["comment"],
        )
        notice = _issue(request, form, organization=check.organization, draft=draft, check=check)
        if notice is not None:
            return redirect("backoffice:notice_issued", notice.pk)
    return _page(
        request,
        "backoffice/patrol/notice_form.html",
        {"form": form, "check": check},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@patrol_view
def notice_new(request: StaffRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = NoticeNewForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        lots=patrol_lots(request),
        now=now(),
    )
    if posted and form.is_valid():
        lot: ParkingLot = form.cleaned_data["lot"]
        draft = NoticeDraft(
            lot=lot,
            plate=form.cleaned_data["plate"],
            jurisdiction=form.cleaned_data["jurisdiction"],
            reason=form.cleaned_data["reason"],
            observed_at=form.observed_at(),
            zone=form.cleaned_data["zone"],
            vehicle_make=form.cleaned_data["vehicle_make"],
            vehicle_colour=form.cleaned_data["vehicle_colour"],
            comment=form.cleaned_data["comment"],
        )
        notice = _issue(request, form, organization=lot.organization, draft=draft)
        if notice is not None:
            return redirect("backoffice:notice_issued", notice.pk)
    return _page(
        request,
        "backoffice/patrol/notice_form.html",
        {"form": form, "check": None},
        status=400 if posted else 200,
    )


@require_GET
@patrol_view
def notice_issued(request: StaffRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request, pk)
    photos = NoticePhoto.objects.filter(notice=notice).count()
    return _page(
        request, "backoffice/patrol/notice_issued.html", {"notice": notice, "photos": photos}
    )


@require_GET
@patrol_view
def notice_print(request: StaffRequest, pk: int, layout: Layout) -> HttpResponse:
    notice = _notice_or_404(request, pk)
    return private_pdf(
        notice_pdf(notice, layout=layout), filename=notice_filename(notice, layout=layout)
    )
