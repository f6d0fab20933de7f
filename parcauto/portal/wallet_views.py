"""« Ajouter à Apple Wallet » and « Ajouter à Google Wallet » on the pass of a contract.

The person's own contract on this portal only (anyone else's is a 404, as everywhere in
MON ABONNEMENT), with a pass that is not voided and a wallet that is configured.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from parcauto.access.models import AccessPass
from parcauto.core.clock import now
from parcauto.core.http import PortalRequest
from parcauto.subscriptions.selectors import subscription_get_for_person
from parcauto.tenants.links import portal_absolute_url
from parcauto.wallets.apple.pkpass import CONTENT_TYPE
from parcauto.wallets.errors import WalletUnavailable
from parcauto.wallets.selectors import pass_of_contract
from parcauto.wallets.services import apple_pass_build, google_save_link, wallet_pass_addable

from .decorators import portal_view


def _own_pass(request: PortalRequest, pk: int) -> AccessPass:
    subscription = subscription_get_for_person(
        person=request.user, organization=request.organization, pk=pk
    )
    access_pass = pass_of_contract(subscription.pk) if subscription is not None else None
    if access_pass is None or not wallet_pass_addable(access_pass):
        raise Http404
    return access_pass


@require_GET
@portal_view
def subscription_wallet_apple(request: PortalRequest, pk: int) -> HttpResponse:
    """The signed `.pkpass`: Safari on an iPhone offers to add it to Wallet."""
    access_pass = _own_pass(request, pk)
    try:
        data = apple_pass_build(access_pass=access_pass, now=now())
    except WalletUnavailable:
        raise Http404 from None
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="permis-{access_pass.serial_number}.pkpass"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@portal_view
def subscription_wallet_google(request: PortalRequest, pk: int) -> HttpResponseRedirect:
    """On to Google's page that saves the pass (its JWT names this portal as origin)."""
    access_pass = _own_pass(request, pk)
    origin = portal_absolute_url(request.organization, "portal:home").rstrip("/")
    try:
        url = google_save_link(access_pass=access_pass, origins=[origin], now=now())
    except WalletUnavailable:
        raise Http404 from None
    return HttpResponseRedirect(url)
