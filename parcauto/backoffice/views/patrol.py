"""The patrol pages, made for a phone in a parking lot: choose the lot, type a plate, read
VALID / NOT VALID in one glance, then issue a notice (`backoffice:notice_issue`).

A check is posted, kept (`enforcement.services.checks.plate_check`) and shown on its own
page (post/redirect/get: reloading the answer does not check again). The lot chosen last
is kept in the session for the next plate. Look-alikes with a valid permit are listed
for the agent to confirm: they never make the verdict.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from parcauto.access.decisions import DecisionError, plate_credential
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ, now
from parcauto.core.params import parse_id
from parcauto.enforcement.models import CheckReason, PlateCheck, Verdict
from parcauto.enforcement.notice_selectors import notices_recent_by_agent
from parcauto.enforcement.services.checks import plate_check

from ..patrol_forms import PatrolCheckForm
from .base import StaffRequest, layout_context, patrol_lots, patrol_view, patrolled

_LOT_KEY = "patrol_lot"


def _form(request: StaffRequest, data: QueryDict | None = None) -> PatrolCheckForm:
    last = parse_id(str(request.session.get(_LOT_KEY, "")))
    return PatrolCheckForm(data, lots=patrol_lots(request), initial={"lot": last, "province": "QC"})


@require_http_methods(["GET", "POST"])
@patrol_view
def patrol(request: StaffRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = _form(request, request.POST if posted else None)
    if posted and form.is_valid():
        lot: ParkingLot = form.cleaned_data["lot"]
        try:
            credential = plate_credential(form.cleaned_data["plate"], form.cleaned_data["province"])
        except DecisionError as refused:
            form.add_error("province" if refused.field == "province" else "plate", refused.message)
        else:
            check = plate_check(
                lot=lot,
                credential=credential,
                now=now(),
                source=PlateCheck.Source.PATROL,
                agent=request.user,
            )
            request.session[_LOT_KEY] = lot.pk
            return redirect("backoffice:patrol_check", pk=check.pk)
    return render(
        request,
        "backoffice/patrol/patrol.html",
        {
            **layout_context(request),
            "form": form,
            "recent_notices": list(
                notices_recent_by_agent(agent=request.user, lots=patrol_lots(request))
            ),
        },
        status=400 if posted else 200,
    )


def _last_minute(until: dt.datetime | None) -> dt.datetime | None:
    """A permit "until midnight" (excluded) reads "until 23 h 59", not a day too far."""
    if until is None or until.astimezone(LOCAL_TZ).time() != dt.time(0):
        return until
    return until - dt.timedelta(minutes=1)


@require_GET
@patrol_view
def patrol_check(request: StaffRequest, pk: int) -> HttpResponse:
    # The page shows the contract's number kept on the check: no join to the contract.
    check = get_object_or_404(patrolled(request, PlateCheck.objects.select_related("lot")), pk=pk)
    not_valid = check.verdict == Verdict.NOT_VALID
    return render(
        request,
        "backoffice/patrol/check.html",
        {
            **layout_context(request),
            "check": check,
            "valid": not not_valid,
            "possible": not_valid and bool(check.candidates),
            "valid_until_shown": _last_minute(check.valid_until),
            "issue_url": reverse("backoffice:notice_issue", args=[check.pk])
            if not_valid and check.reason != CheckReason.ALREADY_NOTICED
            else "",
            "form": _form(request),
        },
    )
