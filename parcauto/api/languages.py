"""The language of an API answer: the request's Accept-Language, French by default.

The pages follow the person's choice and ignore the browser's (accounts.middleware); a
device has no account, so its Accept-Language decides, between the two languages
Parcauto speaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from django.utils import translation

from parcauto.core.i18n import Language

_MAX_HEADER = 500


def accepted_language(header: str) -> Language:
    """`en-CA,en;q=0.9,fr;q=0.5` -> "en"; French when French is preferred, or neither."""
    best: tuple[float, Language] = (0.0, "fr")
    for part in header[:_MAX_HEADER].split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-", 1)[0]
        if language not in ("fr", "en"):
            continue
        weight = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
            if not 0.0 <= weight <= 1.0:  # also NaN
                weight = 0.0
        if weight > best[0] or (weight == best[0] > 0 and language == "fr"):
            best = (weight, language)  # type: ignore[assignment]
    return best[1]


@contextmanager
def request_language(request: HttpRequest) -> Iterator[Language]:
    language = accepted_language(request.headers.get("Accept-Language", ""))
    with translation.override(language):
        yield language
