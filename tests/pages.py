"""What tests read of a page, and small files they upload."""

from __future__ import annotations

import html
import re

from django.http import HttpResponse

NBSP = "\u00a0"  # French typography: before ":" and inside « »
# A minimal, valid PDF: what a person would attach as proof.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def page(response: HttpResponse) -> str:
    """The page's HTML with entities decoded (Django escapes the apostrophe as &#x27;)."""
    return html.unescape(response.content.decode())


def text(response: HttpResponse) -> str:
    """The page's words without tags, spaces collapsed (no-break spaces kept): what one reads."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", page(response))).strip()
