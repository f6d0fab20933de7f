"""Uploaded files are judged by their bytes, never by their name."""

from __future__ import annotations

from dataclasses import dataclass

import puremagic
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# puremagic extension -> MIME type; .jpeg and .jpg are the same format.
ACCEPTED_DOCUMENTS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


def megabytes(size: int) -> str:
    """`3,0 Mo` in French, `3.0 MB` in English (the guides' unit, not Django's "Mio")."""
    return gettext("%(amount)s MB") % {"amount": number_format(size / 1024 / 1024, 1)}


class UploadRefused(DomainError):
    code = "upload_refused"


@dataclass(frozen=True)
class UploadInfo:
    content_type: str
    size: int


def upload_check(file: UploadedFile, *, max_bytes: int) -> UploadInfo:
    """Accept a jpg, jpeg, png or pdf of at most `max_bytes`, whatever its name says."""
    size = file.size or 0
    if size > max_bytes:
        raise UploadRefused(
            _("The file is %(size)s: the maximum is %(max)s.")
            % {"size": megabytes(size), "max": megabytes(max_bytes)},
            code="file_too_large",
        )
    if size == 0:
        raise UploadRefused(_("The file is empty."), code="file_empty")
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    try:
        extension = puremagic.from_string(head)
    except puremagic.PureError:
        extension = ""
    extension = ".jpg" if extension == ".jpeg" else extension
    if extension not in ACCEPTED_DOCUMENTS:
        raise UploadRefused(
            _("This file is not a .jpg, .jpeg, .png or .pdf document."), code="file_type"
        )
    return UploadInfo(content_type=ACCEPTED_DOCUMENTS[extension], size=size)
