"""The virtual access card of a contract ("MON ABONNEMENT" > "Ma carte d'accès"): the QR
code to show at the gate, and "Régénérer mon code".

Only the holder sees it (another person's or institution's contract is a 404). The page
loads nothing from elsewhere (the QR code is inline SVG) and may be kept by the browser
for its holder alone (`private`), so it still shows in a parking lot without a signal.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcauto.access import selectors as access
from parcauto.access.errors import AccessError
from parcauto.access.models import AccessPass
from parcauto.access.qr import pass_code_svg
from parcauto.access.services import pass_regenerate
from parcauto.core.clock import now as clock_now
from parcauto.core.http import PortalRequest, TenantRequest
from parcauto.core.ratelimit import rate_limited
from parcauto.subscriptions.models import Subscription

from .contract_views import own_subscription
from .decorators import portal_view

# What the page may be kept as: by this browser only, checked again whenever online.
CARD_CACHE_CONTROL = "private, no-cache"


def _own_pass(request: PortalRequest, pk: int) -> tuple[Subscription, AccessPass]:
    subscription = own_subscription(request, pk)
    access_pass = access.pass_for_subscription(subscription=subscription)
    if access_pass is None:
        raise Http404
    return subscription, access_pass


@require_GET
def pass_service_worker(request: TenantRequest) -> HttpResponse:
    """The service worker that keeps the card for offline use (pass-sw.js): no data in
    it, so served to anyone on a portal. Its URL under /abonnements/ is its scope."""
    if request.organization is None:
        raise Http404
    response = render(
        request,
        "portal/subscriptions/pass-sw.js",
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"  # a new version is picked up at once
    return response


@require_GET
@portal_view
def subscription_pass(request: PortalRequest, pk: int) -> HttpResponse:
    subscription, access_pass = _own_pass(request, pk)
    card = access.pass_card(access_pass=access_pass, contract=subscription, now=clock_now())
    shows_code = card.state != AccessPass.State.VOIDED
    response = render(
        request,
        "portal/subscriptions/pass.html",
        {
            "subscription": subscription,
            "card": card,
            "qr": pass_code_svg(card.token) if shows_code else "",
            "shows_code": shows_code,
            "operator_name": settings.PARCAUTO_OPERATOR_NAME,
        },
    )
    response["Cache-Control"] = CARD_CACHE_CONTROL
    return response


@portal_view
@rate_limited("pass_regenerate")
def subscription_pass_regenerate(request: PortalRequest, pk: int) -> HttpResponse:
    """ "Régénérer mon code": asked to confirm, then the old code stops opening at once."""
    subscription, access_pass = _own_pass(request, pk)
    if request.method == "POST":
        try:
            pass_regenerate(access_pass=access_pass, actor=request.user, now=clock_now())
        except AccessError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _(
                    "Your new code is ready: the old one no longer opens the gate. The card "
                    "in your phone's wallet is updated too."
                ),
            )
        return redirect("portal:subscription_pass", pk=subscription.pk)
    return render(
        request,
        "portal/subscriptions/pass_regenerate.html",
        {"subscription": subscription, "access_pass": access_pass},
    )
