"""PARAMÈTRES > Mes données (download, consents, closure) and the public privacy page."""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest, TenantRequest, private_download
from parcauto.privacy.consent_log import consent_log_for
from parcauto.privacy.errors import ClosureRefused
from parcauto.privacy.links import data_export_token
from parcauto.privacy.models import DataExport
from parcauto.privacy.selectors import (
    data_export_get_for_person,
    data_export_latest,
    privacy_policy_in_force,
    privacy_settings_for,
)
from parcauto.privacy.services.closure import account_close, closure_refusals
from parcauto.privacy.services.export import (
    data_export_downloaded,
    data_export_for_download,
    data_export_request,
)

from .decorators import portal_view
from .privacy_forms import ClosureForm

# While a download is being prepared, its part of the page asks again this often (htmx).
PROGRESS_EVERY_SECONDS = 2


def _export_context(export: DataExport | None) -> dict[str, object]:
    ready = export is not None and export.status == DataExport.Status.READY and export.file
    return {
        "export": export,
        "in_progress": export is not None and export.status in DataExport.IN_PROGRESS,
        "download_token": data_export_token(export) if ready and export else "",
        "poll_seconds": PROGRESS_EVERY_SECONDS,
        "export_days": settings.PARCAUTO_DATA_EXPORT_DAYS,
    }


@require_GET
@portal_view
def my_data(request: PortalRequest) -> HttpResponse:
    export = data_export_latest(person=request.user)
    return render(request, "portal/privacy/my_data.html", _export_context(export))


@require_POST
@portal_view
def data_export_start(request: PortalRequest) -> HttpResponse:
    data_export_request(person=request.user, organization=request.organization, now=clock_now())
    messages.success(
        request,
        _("Your data is being prepared. We will also send you an e-mail when it is ready."),
    )
    return redirect("portal:my_data")


@require_GET
@portal_view
def data_export_progress(request: PortalRequest, pk: int) -> HttpResponse:
    """The download's part of the page, asked again by htmx while it is prepared."""
    export = data_export_get_for_person(person=request.user, pk=pk)
    if export is None:
        raise Http404
    response = render(request, "portal/privacy/_export_status.html", _export_context(export))
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@portal_view
def data_export_download(request: PortalRequest, token: str) -> FileResponse:
    """The e-mailed link: for the person it names, signed in, until it expires."""
    moment = clock_now()
    export = data_export_for_download(token=token, person=request.user, now=moment)
    if export is None:
        raise Http404
    data_export_downloaded(export=export, now=moment)
    stem = f"mes-donnees-{local_today(export.ready_at or moment):%Y-%m-%d}"
    return private_download(export.file, stem=stem, content_type="application/zip")


@require_GET
@portal_view
def consents(request: PortalRequest) -> HttpResponse:
    return render(
        request, "portal/privacy/consents.html", {"entries": consent_log_for(person=request.user)}
    )


@portal_view
def account_close_page(request: PortalRequest) -> HttpResponse:
    """ "Fermer mon compte": the reasons it cannot be closed yet, or the form that does it."""
    user = request.user
    form = ClosureForm(request.POST if request.method == "POST" else None)
    reasons = closure_refusals(person=user)
    if request.method == "POST" and not reasons and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            limited = ratelimit.consume_or_429(
                request, action="login_failed", key=user.email.lower()
            )
            if limited is not None:
                return limited
            form.add_error("password", _("The password is not correct."))
        else:
            try:
                account_close(person=user, organization=request.organization, now=clock_now())
            except ClosureRefused as refused:  # something changed since the page was shown
                reasons = refused.reasons
            else:
                logout(request)
                return redirect("portal:account_closed")
    return render(request, "portal/privacy/close.html", {"form": form, "reasons": reasons})


@require_GET
def account_closed(request: TenantRequest) -> HttpResponse:
    if request.organization is None:
        raise Http404
    return render(request, "portal/privacy/closed.html")


@require_GET
def privacy_page(request: TenantRequest) -> HttpResponse:
    """The institution's privacy page, for anyone: its privacy officer and how to reach
    them (Law 25, s. 3.2), its policy, how long what is kept, and the person's rights."""
    organization = request.organization
    if organization is None:
        raise Http404
    policy = privacy_policy_in_force(organization=organization, now=clock_now())
    return render(
        request,
        "portal/privacy/policy.html",
        {
            "policy": policy,
            "proof_months": privacy_settings_for(organization).proof_retention_months,
            "draft_days": settings.PARCAUTO_DRAFT_RETENTION_DAYS,
            "unverified_days": settings.PARCAUTO_UNVERIFIED_ACCOUNT_DAYS,
            "export_days": settings.PARCAUTO_DATA_EXPORT_DAYS,
        },
    )
