"""Uploaded files are judged by their bytes, never by their name.

The name a person gave a file is kept only as text to show (`display_name`): a file is
stored under a random name and downloaded under one Parcauto makes
(`core.http.private_download`), with the extension of the type its bytes showed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import puremagic
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

# puremagic extension -> MIME type; .jpeg and .jpg are the same format.
ACCEPTED_DOCUMENTS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
_SNIFFED_BYTES = 4096
_NAME_MAX = 255
# Unicode categories shown as escapes: controls, format characters (bidi overrides,
# zero-width), private use, surrogates, unassigned, line and paragraph separators.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def megabytes(size: int) -> str:
    """`3,0 Mo` in French, `3.0 MB` in English (the guides' unit, not Django's "Mio")."""
    return gettext("%(amount)s MB") % {"amount": number_format(size / 1024 / 1024, 1)}


def size_limit(max_bytes: int) -> str:
    """A limit as the guides write it: `5 Mo`, `10 MB` (whole megabytes, no decimal)."""
    return gettext("%(amount)s MB") % {"amount": number_format(max_bytes / 1024 / 1024, 0)}


def upload_help(max_bytes: int) -> str:
    """The help text of a document field, from the limit its check enforces."""
    return gettext("A .jpg, .jpeg, .png or .pdf file (%(max)s at most).") % {
        "max": size_limit(max_bytes)
    }


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
    head = file.read(_SNIFFED_BYTES)
    file.seek(0)
    content_type = document_type(head)
    if content_type is None:
        raise UploadRefused(
            _("This file is not a .jpg, .jpeg, .png or .pdf document."), code="file_type"
        )
    return UploadInfo(content_type=content_type, size=size)


def document_type(head: bytes) -> str | None:
    """The MIME type of an accepted document from its first bytes, or None."""
    try:
        extension = puremagic.from_string(head) if head else ""
    except puremagic.PureError:
        extension = ""
    # A JPEG is named .jpeg, or .jfif by its JFIF header (what Pillow and many cameras write).
    extension = ".jpg" if extension in (".jpeg", ".jfif") else extension
    return ACCEPTED_DOCUMENTS.get(extension)


def stored_document_type(file: FieldFile) -> str:
    """The type of a stored upload read again from its bytes (for rows that did not keep
    it); application/octet-stream when they are not an accepted document."""
    try:
        with file.open("rb") as stored:
            head = stored.read(_SNIFFED_BYTES)
    except FileNotFoundError:  # gone from storage: the download says 404
        head = b""
    return document_type(head) or "application/octet-stream"


def display_name(name: str) -> str:
    """The name a person gave a file, as text safe to show: every invisible or control
    character (a bidi override that turns `fdp.exe` around, a zero-width space) written
    as its escape (`\\u202e`), at most 255 characters. Never used as a file name."""
    shown = "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _ESCAPED_CATEGORIES
        else char
        for char in name
    )
    return shown[:_NAME_MAX]
