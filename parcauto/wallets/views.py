"""The one public page of the wallets: the institution's logo, as Google Wallet fetches it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from parcauto.core.http import TenantRequest

from .content import institution_of
from .images import GOOGLE_LOGO, logo_png


@require_GET
def logo(request: TenantRequest) -> HttpResponse:
    """A square PNG on white: the institution's logo, else the parking sign."""
    organization = request.organization
    if organization is None:
        raise Http404
    institution = institution_of(organization)
    response = HttpResponse(
        logo_png(institution.logo, institution.colour, GOOGLE_LOGO, background="white"),
        content_type="image/png",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
