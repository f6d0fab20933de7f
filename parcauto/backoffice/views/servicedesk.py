"""The service centre's inbox: every request of the staff member's institutions, its
thread, and what staff do with it (reply, note, assign, change state, decide a
cancellation). Any other institution's request answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.audit.services import audit_log
from parcauto.core.clock import now
from parcauto.core.dates import format_date
from parcauto.core.http import private_download
from parcauto.servicedesk import selectors
from parcauto.servicedesk.errors import ServiceDeskError
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services import cancellation, contests, thread

from ..servicedesk_forms import (
    AssignForm,
    CancellationRefuseForm,
    ContestDecisionForm,
    InboxFilterForm,
    NoteForm,
    StaffReplyForm,
    StateForm,
    staff_of,
)
from .base import StaffRequest, backoffice_view, layout_context, staff_organizations

PAGE_SIZE = 50


@require_GET
@backoffice_view
def inbox(request: StaffRequest) -> HttpResponse:
    visible = staff_organizations(request)
    moment = now()
    form = InboxFilterForm(
        request.GET, staff=staff_of(*visible.values_list("pk", flat=True)), me=request.user
    )
    requests = selectors.inbox(organizations=visible, filters=form.filters(), now=moment)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/servicedesk/inbox.html",
        {
            **layout_context(request),
            "form": form,
            "page": page,
            "counts": selectors.inbox_counts(organizations=visible, now=moment),
            "now": moment,
            "several_institutions": visible.count() > 1,
        },
    )


def _request_or_404(request: StaffRequest, pk: int) -> ServiceRequest:
    found = selectors.inbox_request(organizations=staff_organizations(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _render_detail(
    request: StaffRequest, service_request: ServiceRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    organization_id = service_request.organization_id
    return render(
        request,
        "backoffice/servicedesk/detail.html",
        {
            **layout_context(request),
            "service_request": service_request,
            "attachments": selectors.first_attachments(service_request),
            "thread": selectors.thread_for_staff(service_request),
            "overdue": service_request.is_open and service_request.due_at < now(),
            "reply_form": forms.get("reply_form") or StaffReplyForm(),
            "note_form": forms.get("note_form") or NoteForm(prefix="note"),
            "assign_form": forms.get("assign_form")
            or AssignForm(
                organization_id=organization_id,
                initial={"assignee": service_request.assignee_id},
            ),
            "state_form": forms.get("state_form")
            or StateForm(initial={"state": service_request.state}),
            "refuse_form": forms.get("refuse_form") or CancellationRefuseForm(),
            "undecided_cancellation": service_request.kind == ServiceRequest.Kind.CANCELLATION
            and service_request.outcome == ServiceRequest.Outcome.NONE,
            "undecided_contest": thread.contest_undecided(service_request),
            "contest_form": forms.get("contest_form") or ContestDecisionForm(),
        },
        status=status,
    )


@require_GET
@backoffice_view
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _request_or_404(request, pk))


def _done(request: StaffRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("backoffice:desk_request", pk=pk)


def _refused(request: StaffRequest, pk: int, error: ServiceDeskError) -> HttpResponse:
    messages.error(request, str(error.message))
    return redirect("backoffice:desk_request", pk=pk)


@require_POST
@backoffice_view
def reply(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    form = StaffReplyForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, reply_form=form)
    try:
        thread.request_reply_by_staff(
            request=service_request,
            actor=request.user,
            body=form.cleaned_data["body"],
            wait_for_customer=form.cleaned_data["wait_for_customer"],
            now=now(),
        )
    except ServiceDeskError as error:
        form.add_error("body", str(error.message))
        return _render_detail(request, service_request, status=400, reply_form=form)
    return _done(request, pk, _("Your reply has been sent to the person by e-mail."))


@require_POST
@backoffice_view
def note(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, note_form=form)
    try:
        thread.request_note_add(
            request=service_request, actor=request.user, body=form.cleaned_data["body"], now=now()
        )
    except ServiceDeskError as error:
        form.add_error("body", str(error.message))
        return _render_detail(request, service_request, status=400, note_form=form)
    return _done(request, pk, _("Note added."))


@require_POST
@backoffice_view
def assign(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    form = AssignForm(request.POST, organization_id=service_request.organization_id)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, assign_form=form)
    try:
        thread.request_assign(
            request=service_request,
            assignee=form.cleaned_data["assignee"],
            actor=request.user,
            now=now(),
        )
    except ServiceDeskError as error:
        return _refused(request, pk, error)
    return _done(request, pk, _("Assignment saved."))


@require_POST
@backoffice_view
def change_state(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, state_form=form)
    try:
        thread.request_state_change(
            request=service_request, state=form.cleaned_data["state"], actor=request.user, now=now()
        )
    except ServiceDeskError as error:
        return _refused(request, pk, error)
    return _done(request, pk, _("State saved: the person is told by e-mail."))


@require_POST
@backoffice_view
def cancellation_confirm(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    try:
        confirmed = cancellation.cancellation_confirm(
            request=service_request, actor=request.user, now=now()
        )
    except ServiceDeskError as error:
        return _refused(request, pk, error)
    assert confirmed.requested_end_date is not None  # noqa: S101 - a cancellation has one
    return _done(
        request,
        pk,
        _("Cancellation confirmed: the subscription ends on %(date)s.")
        % {"date": format_date(confirmed.requested_end_date)},
    )


@require_POST
@backoffice_view
def cancellation_refuse(request: StaffRequest, pk: int) -> HttpResponse:
    service_request = _request_or_404(request, pk)
    form = CancellationRefuseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, refuse_form=form)
    try:
        cancellation.cancellation_refuse(
            request=service_request,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            now=now(),
        )
    except ServiceDeskError as error:
        return _refused(request, pk, error)
    return _done(request, pk, _("Cancellation refused: the person is told by e-mail."))


@require_POST
@backoffice_view
def contest_decide(request: StaffRequest, pk: int) -> HttpResponse:
    """A contested notice: cancelled or kept, the reason e-mailed to the contester."""
    service_request = _request_or_404(request, pk)
    form = ContestDecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, status=400, contest_form=form)
    decision = form.cleaned_data["decision"]
    try:
        contests.contest_decide(
            request=service_request,
            decision=decision,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            now=now(),
        )
    except ServiceDeskError as error:
        return _refused(request, pk, error)
    if decision == contests.Decision.CANCEL:
        return _done(request, pk, _("Notice cancelled: the person is told by e-mail."))
    return _done(request, pk, _("Notice kept: the person is told by e-mail."))


@require_GET
@backoffice_view
def attachment(request: StaffRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of the request, downloaded (never shown inline); who opened it is recorded."""
    service_request = _request_or_404(request, pk)
    found = service_request.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    response = private_download(
        found.file, stem=found.download_stem, content_type=found.content_type
    )
    audit_log(
        action="servicedesk.attachment_downloaded",
        actor=request.user,
        organization=service_request.organization,
        target=service_request,
        data={"attachment": found.pk},
    )
    return response
