"""PAYER UN AVIS DE RÉCLAMATION: the public page of a claim notice, no account needed;
and "Mes avis", the notices this portal sent to the person's account, each linking there.

The look-up takes the notice's number and its plate, both; a wrong pair answers the same
whichever half is wrong, and wrong pairs are limited per address and per number tried
(`core.ratelimit`, action "notice_lookup"). A right pair opens that notice to this
browser's session for an hour (the account the notice was issued to sees it always);
its pages, photos and receipt answer anyone else by going back to the look-up, whether
or not such a notice exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest, private_pdf
from parcauto.core.i18n import active_language
from parcauto.core.ratelimit import rate_limit_check, rate_limit_hit
from parcauto.enforcement.errors import EnforcementError
from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.enforcement.notice_selectors import notices_of_person
from parcauto.enforcement.receipts import notice_receipt_filename, notice_receipt_pdf
from parcauto.enforcement.services.numbers import notice_number_clean
from parcauto.enforcement.services.payments import notice_payments_settle
from parcauto.enforcement.services.pricing import notice_amount_due, notice_late
from parcauto.enforcement.services.public import notice_lookup as notice_find
from parcauto.enforcement.services.public import photo_public_bytes
from parcauto.tenants.models import Organization

from .decorators import portal_view
from .notice_forms import NoticeLookupForm, NoticePayForm
from .payment_views import tokenization_for

SESSION_KEY = "notice_lookups"
ACCESS_SECONDS = 3600
REMEMBERED = 5  # notices one browser keeps open at once
LOOKUP = "notice_lookup"


class PublicRequest(HttpRequest):
    """Anyone, signed in or not, on an institution's portal (`public_portal_view`)."""

    organization: Organization


def public_portal_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of an institution's portal that needs no account."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "organization", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _opened(request: PublicRequest) -> dict[str, float]:
    moment = time.time()
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    return {
        key: until
        for key, until in stored.items()
        if isinstance(until, int | float) and until > moment
    }


def notice_open(request: PublicRequest, notice: ClaimNotice) -> None:
    """Open `notice` to this browser's session for ACCESS_SECONDS."""
    opened = _opened(request)
    opened[str(notice.pk)] = time.time() + ACCESS_SECONDS
    newest = sorted(opened.items(), key=lambda item: item[1])[-REMEMBERED:]
    request.session[SESSION_KEY] = dict(newest)
    request.session.cycle_key()  # a session that opens a notice gets a fresh key


def notice_for(request: PublicRequest, number: str) -> ClaimNotice | None:
    """The portal's notice `number` if this visitor has opened it, else None."""
    cleaned = notice_number_clean(number)
    if cleaned is None:
        return None
    notice = (
        ClaimNotice.objects.filter(organization=request.organization, number=cleaned)
        .select_related("lot", "organization")
        .first()
    )
    if notice is None:
        return None
    user = request.user
    if user.is_authenticated and notice.person_id == user.pk:
        return notice
    return notice if str(notice.pk) in _opened(request) else None


def to_lookup(number: str = "") -> HttpResponse:
    url = reverse("portal:notice_lookup")
    cleaned = notice_number_clean(number)
    return redirect(f"{url}?{urlencode({'numero': cleaned})}" if cleaned else url)


# --- the look-up ----------------------------------------------------------------------------


@public_portal_view
def notice_lookup(request: PublicRequest) -> HttpResponse:
    """Number and plate; `?numero=` (the printed notice's QR code) fills in the number."""
    if request.method == "POST":
        form = NoticeLookupForm(request.POST)
        tried = notice_number_clean(request.POST.get("number", "")[:20])
        rate_limit_check(request, action=LOOKUP, key=tried)
        if form.is_valid():
            notice = notice_find(
                organization=request.organization,
                number=form.cleaned_data["number"],
                plate=form.cleaned_data["plate"],
            )
            if notice is not None:
                notice_open(request, notice)
                return redirect("portal:notice_detail", number=notice.number)
            rate_limit_hit(request, action=LOOKUP, key=tried)
            form.add_error(
                None,
                _(
                    "No notice matches this number and this plate. Check both as they are "
                    "printed on the notice."
                ),
            )
    else:
        number = notice_number_clean(request.GET.get("numero", "")[:20]) or ""
        form = NoticeLookupForm(initial={"number": number})
    return render(request, "portal/notices/lookup.html", {"form": form})


# --- the notice, its photos and its receipt ----------------------------------------------


def render_notice(
    request: PublicRequest, notice: ClaimNotice, *, form: NoticePayForm | None = None
) -> HttpResponse:
    today = local_today(clock_now())
    payment = NoticePayment.objects.filter(
        notice=notice, status=NoticePayment.Status.APPROVED
    ).first()
    pending = NoticePayment.objects.filter(notice=notice, status=NoticePayment.Status.SENT)
    payable = notice.state in (ClaimNotice.State.ISSUED, ClaimNotice.State.COLLECTION)
    payable = payable and payment is None and not pending.exists()
    return render(
        request,
        "portal/notices/detail.html",
        {
            "notice": notice,
            "photos": list(notice.photos.all()),
            "late": notice_late(notice=notice, today=today),
            "amount_due": notice_amount_due(notice=notice, today=today),
            "taxed": notice.gst > 0 or notice.qst > 0,
            "payment": payment,
            "pending": pending.exists(),
            "payable": payable,
            "contestable": notice.state == ClaimNotice.State.ISSUED and payable,
            "form": form or NoticePayForm(),
            # Only the page's origin and language are read: no account needed.
            "tokenization": tokenization_for(cast(PortalRequest, request)) if payable else None,
        },
    )


@require_GET
@public_portal_view
def notice_detail(request: PublicRequest, number: str) -> HttpResponse:
    notice = notice_for(request, number)
    if notice is None:
        return to_lookup(number)
    if NoticePayment.objects.filter(notice=notice, status=NoticePayment.Status.SENT).exists():
        # An earlier payment whose answer was lost: ask the gateway again.
        try:
            notice_payments_settle(notice=notice, actor=None, now=clock_now())
        except EnforcementError as error:
            messages.warning(request, str(error.message))
        notice.refresh_from_db()
    return render_notice(request, notice)


@require_GET
@public_portal_view
def notice_photo(request: PublicRequest, number: str, photo_pk: int) -> HttpResponse:
    """A photo of the notice, re-encoded without its metadata, for this visitor only."""
    notice = notice_for(request, number)
    if notice is None:
        return to_lookup(number)
    photo = notice.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    content, content_type = photo_public_bytes(photo)
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@public_portal_view
def notice_receipt(request: PublicRequest, number: str) -> HttpResponse:
    notice = notice_for(request, number)
    if notice is None:
        return to_lookup(number)
    payment = (
        NoticePayment.objects.filter(notice=notice, status=NoticePayment.Status.APPROVED)
        .select_related("notice", "notice__lot", "notice__organization")
        .first()
    )
    if payment is None:
        raise Http404
    language = active_language()
    return private_pdf(
        notice_receipt_pdf(payment, language),
        filename=notice_receipt_filename(payment, language),
    )


@require_GET
@portal_view
def my_notices(request: PortalRequest) -> HttpResponse:
    notices = notices_of_person(
        person=request.user, organization=request.organization, today=local_today()
    )
    return render(request, "portal/notices/list.html", {"notices": notices})
