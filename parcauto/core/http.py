"""Typed requests: what the middleware guarantees, visible to mypy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from parcauto.accounts.models import User
    from parcauto.tenants.models import Organization


class TenantRequest(HttpRequest):
    """Any request: the institution of the host, or None on the operator's host."""

    organization: Organization | None


class PortalRequest(HttpRequest):
    """A signed-in person on an institution's portal (see portal.decorators.portal_view)."""

    user: User
    organization: Organization


def local_redirect(request: HttpRequest, url: object, *, fallback: str) -> HttpResponseRedirect:
    """A redirect to `url` when it is a page of this site (a `next` field), else to `fallback`.

    Not `redirect()`: it takes "foo" for a URL name and raises NoReverseMatch. An absolute
    URL or "//elsewhere" would be an open redirect, and a path no view answers a dead end.
    """
    target = url if isinstance(url, str) and url.startswith("/") else ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        try:
            resolve(target.split("?", 1)[0].split("#", 1)[0])
        except Resolver404:
            pass
        else:
            return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def private_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored private file, sent as a download the browser never renders nor caches."""
    if not file.name or not file.storage.exists(file.name):
        raise Http404
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def private_pdf(pdf: bytes, *, filename: str) -> HttpResponse:
    """A PDF made for one person (contract, receipt): shown inline, never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
