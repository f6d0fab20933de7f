"""Claim notices in the back office: the list, one notice (amounts, history, photos with
their location), and cancelling one with a reason.

Who sees what (`accounts.roles`): the managers and agents of the notice's institution and
operator admins; a notice of any other institution answers 404. Cancelling writes a
claim off, a money decision: managers and operator admins only, as refunds are. Patrol
agents have none of these pages (403): their own notices are on their patrol pages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.core.clock import local_today
from parcauto.core.errors import DomainError
from parcauto.core.http import private_download
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, PlateCheck
from parcauto.enforcement.selectors import (
    notice_history,
    notice_search,
    notice_state_counts,
    notices_of,
)
from parcauto.enforcement.services.cancelling import notice_cancel, notice_cancellable
from parcauto.enforcement.services.pricing import notice_amount_due, notice_late
from parcauto.tenants.models import Organization

from ..enforcement_forms import NoticeCancelForm, NoticeFilterForm
from .base import StaffRequest, backoffice_view, staff, staff_organizations
from .billing import PAGE_SIZE, billing_context

# States in which a notice still claims money (the amount due today is shown).
OPEN_STATES = frozenset(
    {ClaimNotice.State.ISSUED, ClaimNotice.State.CONTESTED, ClaimNotice.State.COLLECTION}
)


def notice_organizations(request: StaffRequest) -> QuerySet[Organization]:
    """The institutions whose notices this staff member sees; a patrol agent gets 403."""
    access = staff(request)
    if not (access.operator_admin or access.visible):
        raise PermissionDenied
    return staff_organizations(request)


def notices_context(request: StaffRequest, **context: Any) -> dict[str, Any]:
    return billing_context(request, **context)


def notice_filter_form(request: StaffRequest) -> NoticeFilterForm:
    return NoticeFilterForm(request.GET, organizations=notice_organizations(request))


@require_GET
@backoffice_view
def notices(request: StaffRequest) -> HttpResponse:
    form = notice_filter_form(request)
    organizations = form.organizations(notice_organizations(request))
    filters = form.filters()
    found = notice_search(organizations=organizations, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    # Per state with the other filters: each count is where its link leads.
    every_state = notice_search(organizations=organizations, filters=replace(filters, state=""))
    counts = notice_state_counts(every_state)
    return render(
        request,
        "backoffice/notices/list.html",
        notices_context(
            request,
            form=form,
            page=page,
            counts=[(state, label, counts[state]) for state, label in ClaimNotice.State.choices],
        ),
    )


def _notice_or_404(request: StaffRequest, pk: int) -> ClaimNotice:
    found = notices_of(organizations=notice_organizations(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _render_detail(
    request: StaffRequest,
    notice: ClaimNotice,
    form: NoticeCancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = local_today()
    check = (
        PlateCheck.objects.filter(organization_id=notice.organization_id, pk=notice.plate_check_id)
        .select_related("device")
        .first()
        if notice.plate_check_id
        else None
    )
    return render(
        request,
        "backoffice/notices/detail.html",
        notices_context(
            request,
            notice=notice,
            check=check,
            photos=list(
                NoticePhoto.objects.filter(organization_id=notice.organization_id, notice=notice)
            ),
            history=notice_history(notice),
            is_open=notice.state in OPEN_STATES,
            late=notice_late(notice=notice, today=today),
            amount_due=notice_amount_due(notice=notice, today=today),
            may_cancel=staff(request).may_edit(notice.organization_id)
            and notice_cancellable(notice),
            contested=notice.state == ClaimNotice.State.CONTESTED,
            form=form or NoticeCancelForm(),
        ),
        status=status,
    )


@require_GET
@backoffice_view
def notice(request: StaffRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _notice_or_404(request, pk))


@require_GET
@backoffice_view
def notice_photo(request: StaffRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of the notice, shown in the page: its institution's staff only."""
    found = _notice_or_404(request, pk)
    photo = NoticePhoto.objects.filter(
        organization_id=found.organization_id, notice=found, pk=photo_pk
    ).first()
    if photo is None:
        raise Http404
    return private_download(
        photo.image,
        stem=f"avis-{found.number}-photo-{photo.pk}",
        content_type=photo.content_type,
        inline_image=True,
    )


@require_POST
@backoffice_view
def cancel(request: StaffRequest, pk: int) -> HttpResponse:
    """The reason first, then a confirmation page, then the cancellation."""
    found = _notice_or_404(request, pk)
    if not staff(request).may_edit(found.organization_id):
        raise PermissionDenied
    form = NoticeCancelForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, found, form, status=400)
    if "confirm" not in request.POST:
        return render(
            request,
            "backoffice/notices/cancel_confirm.html",
            notices_context(request, notice=found, form=form),
        )
    try:
        notice_cancel(notice=found, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Notice %(number)s cancelled.") % {"number": found.number})
    return redirect("backoffice:notice", pk=pk)
