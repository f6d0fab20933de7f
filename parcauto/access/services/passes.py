"""What a holder does with a pass: "Régénérer mon code" (a lost or shared phone)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.subscriptions.models import Subscription

from ..errors import PassVoided
from ..models import AccessPass
from ..tokens import token_issue
from .sync import access_sync


def pass_regenerate(*, access_pass: AccessPass, actor: User | None, now: dt.datetime) -> AccessPass:
    """A new token for the pass; the old one opens nothing from the commit on.

    Its grants are rewritten in the same transaction (the old token's revoked, the new
    one's created), for the contract it shows and the next term waiting for it, and the
    wallets are told (the revision moves: the token is part of what they show).
    """
    with transaction.atomic():
        # The contract first, as access_sync locks it: one lock order, no deadlock.
        Subscription.objects.select_for_update().filter(
            organization_id=access_pass.organization_id, pk=access_pass.subscription_id
        ).values_list("pk").first()
        locked = AccessPass.objects.select_for_update().get(
            organization_id=access_pass.organization_id, pk=access_pass.pk
        )
        if locked.state == AccessPass.State.VOIDED:
            raise PassVoided
        issued = token_issue()
        locked.token_hash = issued.hash
        locked.token_sealed = issued.sealed
        locked.token_issued_at = now
        locked.save(update_fields=["token_hash", "token_sealed", "token_issued_at", "updated_at"])
        audit_log(
            action="access.pass_regenerated",
            actor=actor,
            organization=locked.subscription.organization,
            target=locked.subscription,
            data={"serial_number": str(locked.serial_number)},
        )
        access_sync(subscription=locked.subscription, now=now)
        if locked.successor is not None:
            access_sync(subscription=locked.successor, now=now)
    locked.refresh_from_db()
    return locked
