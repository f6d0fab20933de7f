from __future__ import annotations

import puremagic
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parcauto.accounts.services import user_set_language
from parcauto.core.http import PortalRequest, TenantRequest, local_redirect
from parcauto.tenants.selectors import organization_list_public

from .decorators import portal_view


def home(request: TenantRequest) -> HttpResponse:
    """Root host: the list of portals. A portal host: its dashboard or its login page."""
    if request.organization is None:
        port = request.get_port()
        port_suffix = "" if port in ("80", "443") else f":{port}"
        return render(
            request,
            "portal/institution_list.html",
            {"organizations": organization_list_public(), "port_suffix": port_suffix},
        )
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return redirect("account_login")


@portal_view
def dashboard(request: PortalRequest) -> HttpResponse:
    if not hasattr(request.user, "profile"):
        return redirect("portal:profile")
    return render(request, "portal/dashboard.html")


@require_POST
def set_language(request: TenantRequest) -> HttpResponse:
    language = request.POST.get("language", "fr")
    organization = request.organization
    allowed = organization.languages if organization else ["fr", "en"]
    if language not in allowed:
        language = "fr"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response = local_redirect(request, request.POST.get("next"), fallback="/")
    response.set_cookie(
        "parcauto_language", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


def organization_logo(request: TenantRequest) -> FileResponse:
    organization = request.organization
    if organization is None or not organization.logo:
        raise Http404
    head = organization.logo.open("rb").read(2048)
    organization.logo.seek(0)
    mime = {".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml"}.get(
        puremagic.from_string(head) if head else "", "application/octet-stream"
    )
    response = FileResponse(organization.logo.open("rb"), content_type=mime)
    response["Cache-Control"] = "public, max-age=3600"
    return response
