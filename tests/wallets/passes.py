"""Passes of active contracts, and their changes, as access makes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from parcauto.access.models import AccessPass
from parcauto.subscriptions.models import Subscription
from parcauto.wallets.tokens import pass_token_seal
from tests.backoffice.requests import NOW, offer_of, submitted_request
from tests.offers import Offer
from tests.scoping import within_its_institution


@within_its_institution
def active_contract(organization, *, offer: Offer | None = None, **kwargs: Any) -> Subscription:
    """An active contract of a new person, for `offer` (a new CHUS-like one by default)."""
    contract = submitted_request(offer or offer_of(organization), **kwargs)
    Subscription.objects.filter(pk=contract.pk).update(status=Subscription.Status.ACTIVE)
    contract.refresh_from_db()
    return contract


def _token_fields(token: str) -> dict[str, str]:
    return {
        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
        "token_sealed": pass_token_seal(token),
    }


@within_its_institution
def pass_issued(contract: Subscription, *, at: dt.datetime = NOW) -> AccessPass:
    return AccessPass.objects.create(
        organization=contract.organization,
        subscription=contract,
        token_issued_at=at,
        changed_at=at,
        **_token_fields(secrets.token_urlsafe(24)),
    )


@within_its_institution
def pass_changed(
    access_pass: AccessPass, *, at: dt.datetime, new_token: bool = False, **fields: Any
) -> AccessPass:
    """A wallet-visible change of the pass, then the tasks access queues after one."""
    if new_token:
        fields |= _token_fields(secrets.token_urlsafe(24)) | {"token_issued_at": at}
    for name, value in fields.items():
        setattr(access_pass, name, value)
    access_pass.revision += 1
    access_pass.changed_at = at
    access_pass.save()
    for path in settings.PARCAUTO_PASS_CHANGED_TASKS:
        import_string(path).enqueue(
            organization_id=access_pass.organization_id, pass_id=access_pass.pk
        )
    return access_pass
