"""Typed requests (what the middleware guarantees, visible to mypy), and how private
files and PDFs are sent."""

from __future__ import annotations

import re
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


# The extension a download gets from its type (the type read from the bytes at upload,
# or the one Parcauto wrote the file with); anything else is plain bytes.
DOWNLOAD_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "text/plain": "txt",
    "text/csv": "csv",
    "application/zip": "zip",
}
_OCTETS = "application/octet-stream"


def download_name(stem: str, content_type: str) -> str:
    """`<stem>.<extension of the type>`, in lower-case ASCII letters, digits and dashes:
    nothing a person typed (a bidi override, `../`) can reach Content-Disposition."""
    safe = "-".join(re.findall(r"[a-z0-9]+", stem.lower())) or "fichier"
    extension = DOWNLOAD_EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
    return f"{safe}.{extension}"


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


# Types a page may show in place (an <img>): re-encoded by us, read from their bytes.
_INLINE_IMAGES = frozenset({"image/jpeg", "image/png"})


def private_download(
    file: FieldFile, *, stem: str, content_type: str, inline_image: bool = False
) -> FileResponse:
    """A stored private file, sent as a download the browser never renders nor caches,
    named `download_name(stem, content_type)` (never the name it was uploaded with).

    `inline_image`: a JPEG or PNG is shown in place instead (a photo in a staff page);
    any other type is still a download.
    """
    if not file.name or not file.storage.exists(file.name):
        raise Http404
    bare_type = content_type.split(";")[0].strip().lower()
    known = bare_type in DOWNLOAD_EXTENSIONS
    response = FileResponse(
        file.open("rb"),
        as_attachment=not (inline_image and bare_type in _INLINE_IMAGES),
        filename=download_name(stem, content_type),
        content_type=content_type if known else _OCTETS,
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
