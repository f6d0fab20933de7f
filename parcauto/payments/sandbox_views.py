"""The sandbox gateway's card page, served by our app in an iframe as Moneris' HT page is.

The parent page posts "tokenize" to the iframe; the iframe sends the typed card to
`sandbox_tokenize` and answers the parent with Moneris' JSON: `{"responseCode": ["001"],
"dataKey": "ot-...", "bin": "424242", "errorMessage": null}`, or the codes 943 (card
number), 944 (expiry) or 945 (CVD) with a message in the page's language, and 946 (ours,
not a Moneris code) when the cardholder's name is missing; 429 (ours, with HTTP 429 and
Retry-After) once this account's or address's card tries are used up.

The card number is checked and reduced to brand, last digits and test behaviour here,
then dropped: it is never stored, and `sensitive_post_parameters` keeps it out of error
reports (Django logs no request bodies otherwise). The cardholder's name, as the guides
show it in the card's frame, is only required: the sandbox keeps nothing of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from parcauto.core.clock import local_today
from parcauto.core.params import ascii_digits
from parcauto.core.ratelimit import RateLimited, rate_limit_hit, wait_message

from .gateways import get_gateway, simulator
from .gateways.sandbox import SandboxGateway, sandbox_card_tokenize

SUCCESS = "001"
BAD_NUMBER = "943"
BAD_EXPIRY = "944"
BAD_CVD = "945"
NO_NAME = "946"
TOO_MANY = "429"  # ours too: the card tries of this account or address are used up
CARD_FIELDS = ("cardholder", "card_number", "expiry", "cvd")
_EXPIRY = re.compile(r"^\s*([0-9]{1,2})\s*/?\s*([0-9]{2})\s*$", re.ASCII)

# Our portal pages are the only ones that may frame it (they share its host).
_FRAME_CSP: dict[str, Any] = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


def _sandbox_only(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A 404 unless the sandbox is the gateway, and allowed: never a fake card page next to
    Moneris, nor on a production site (PARCAUTO_ALLOW_SANDBOX_GATEWAY, off outside DEBUG)."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY or not isinstance(
            get_gateway(), SandboxGateway
        ):
            raise Http404("The sandbox gateway is off")
        return view(request)

    return wrapped


def _language(request: HttpRequest, source: dict[str, Any]) -> str:
    wanted = source.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else request.LANGUAGE_CODE


@_sandbox_only
@require_GET
@xframe_options_sameorigin
@csp_override(_FRAME_CSP)
def sandbox_frame(request: HttpRequest) -> HttpResponse:
    language = _language(request, request.GET)
    with translation.override(language):
        return render(request, "payments/sandbox/frame.html", {"language": language})


@_sandbox_only
@require_POST
@sensitive_post_parameters(*CARD_FIELDS)
@sensitive_variables("number", "expiry", "cvd")
def sandbox_tokenize(request: HttpRequest) -> HttpResponse:
    try:  # card testing: every number tried counts, valid or not
        rate_limit_hit(request, action="card_token")
    except RateLimited as limited:
        return _too_many(request, limited)
    number = re.sub(r"[\s-]", "", request.POST.get("card_number", ""))
    expiry = request.POST.get("expiry", "")
    cvd = request.POST.get("cvd", "").strip()
    parts = _expiry_parts(expiry)
    with translation.override(_language(request, request.POST)):
        errors = _card_errors(
            cardholder=request.POST.get("cardholder", ""),
            number=number,
            expiry=parts,
            cvd=cvd,
            today=local_today(),
        )
        if errors or parts is None:
            return JsonResponse(
                {
                    "responseCode": [code for code, _message in errors],
                    "dataKey": None,
                    "bin": None,
                    "errorMessage": " ".join(message for _code, message in errors),
                    # Not Moneris': what the iframe shows under each field.
                    "fieldErrors": dict(errors),
                }
            )
    month, year = parts
    card = sandbox_card_tokenize(number=number, expiry=f"{year:02d}{month:02d}")
    return JsonResponse(
        {"responseCode": [SUCCESS], "dataKey": card.token, "bin": number[:6], "errorMessage": None}
    )


def _too_many(request: HttpRequest, limited: RateLimited) -> HttpResponse:
    """A 429 in Moneris' shape, so that the frame shows its message like any refusal."""
    with translation.override(_language(request, request.POST)):
        message = wait_message(limited.retry_after)
    response = JsonResponse(
        {
            "responseCode": [TOO_MANY],
            "dataKey": None,
            "bin": None,
            "errorMessage": message,
            "retryAfter": limited.retry_after,
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(limited.retry_after)
    return response


@sensitive_variables("number", "cvd")
def _card_errors(
    *, cardholder: str, number: str, expiry: tuple[int, int] | None, cvd: str, today: dt.date
) -> list[tuple[str, str]]:
    errors = []
    if not cardholder.strip():
        errors.append((NO_NAME, _("Enter the cardholder's name as it appears on the card.")))
    if not simulator.luhn_valid(number):
        errors.append((BAD_NUMBER, _("The card number is not valid.")))
    if expiry is None:
        errors.append((BAD_EXPIRY, _("Enter the expiry date as MM/YY.")))
    elif (2000 + expiry[1], expiry[0]) < (today.year, today.month):
        errors.append((BAD_EXPIRY, _("This card has expired.")))
    cvd_length = 4 if simulator.card_brand(number) == simulator.Brand.AMEX else 3
    if not (ascii_digits(cvd) and len(cvd) == cvd_length):
        errors.append(
            (BAD_CVD, _("The security code (CVD) has %(count)d digits.") % {"count": cvd_length})
        )
    return errors


def _expiry_parts(expiry: str) -> tuple[int, int] | None:
    """(month, two-digit year) from "MM/YY", "MMYY" or "M/YY"; None if it is none of them."""
    match = _EXPIRY.match(expiry)
    if match is None or not 1 <= int(match.group(1)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))
