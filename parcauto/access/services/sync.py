"""`access_sync`: a contract's pass and grants made to match its current state.

Every change that matters to a gate or a wallet (a status, dates, vehicles, the token)
ends here, directly (services above `access`) or through the task that the layers below
queue by name. It is idempotent: run twice, the second run writes nothing.

- A contract approved, active, suspended or ending has a pass: created with a new token
  the first time, or taken over from the same person's previous term (guide 000: passes
  renewed on January 15 with no new download, rule 55; see `_renewed_pass`).
- Its grants: the pass in every lot of the product, each plate of the account's vehicles
  over the time it is in effect (24 h after a change), both within the contract's days;
  valid, or suspended while the contract is.
- A stopped contract (refused, cancelled, payment failed, ended) voids its pass and
  cancels its grants; a next term waiting for the pass takes it over instead.
- When what a wallet shows changes, the pass's revision moves and the tasks named in
  `PARCAUTO_PASS_CHANGED_TASKS` are queued after commit (the wallets' update pushes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from parcauto.accounts.models import Profile
from parcauto.audit.services import audit_log
from parcauto.core.clock import local_today
from parcauto.core.tasks import enqueue_by_name
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import VehicleChange

from .. import emails
from ..models import AccessPass
from ..ranges import PlateSpan, contract_span, plate_spans
from ..states import (
    PASS_STATUSES,
    STARTED_STATUSES,
    STOPPED_STATUSES,
    grant_state_for,
    pass_state_for,
)
from ..tokens import token_issue
from .grants import grants_wanted, grants_write

# A contract starting at most this long after the person's previous one ended takes its
# pass over: a semester after the last (the summer between terms is ~100 days).
RENEWAL_GAP = dt.timedelta(days=120)
Status = Subscription.Status


@dataclass(frozen=True)
class SyncResult:
    pass_id: int | None
    grants_changed: int
    pass_changed: bool


def access_sync(
    *, subscription: Subscription, now: dt.datetime, announce: bool = True
) -> SyncResult:
    """Make the contract's pass and grants match it; the next term's too if it took the
    pass over. Call it in the contract's institution's scope.

    `announce` False: an active contract's card e-mail is recorded as sent without being
    sent (a back-fill of contracts that were active before their cards existed).
    """
    with transaction.atomic():
        result, handed_to = _sync(subscription.organization_id, subscription.pk, now, announce)
        if handed_to is not None:
            _sync(subscription.organization_id, handed_to, now, announce)
    return result


def _sync(
    organization_id: int, pk: int, now: dt.datetime, announce: bool
) -> tuple[SyncResult, int | None]:
    # The contract's row lock serializes syncs of one contract (a task and a service).
    contract = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("organization", "product")
        .get(organization_id=organization_id, pk=pk)
    )
    own = AccessPass.objects.filter(subscription=contract).first()
    waiting = AccessPass.objects.filter(successor=contract).first() if own is None else None
    handed_to: int | None = None

    if contract.status in PASS_STATUSES and own is None and waiting is None:
        if _term_over(contract, now):
            # Its pass went to the next term, whose first day came before this one's end
            # was recorded: nothing to issue, its grants ended with its days.
            return SyncResult(None, 0, False), None
        own, waiting = _pass_found_or_issued(contract, now)
    if contract.status in PASS_STATUSES:
        if waiting is not None and (
            contract.status in STARTED_STATUSES or waiting.subscription.status in STOPPED_STATUSES
        ):
            own, waiting = _handed_over(waiting, to=contract), None
        token_pass = own or waiting
        assert token_pass is not None  # noqa: S101 - found or issued above
        plates = _plates(contract)
        changed = grants_write(
            contract=contract,
            wanted=grants_wanted(
                lot_ids=[contract.lot_id, *contract.product.lots.values_list("pk", flat=True)],
                token_hash=token_pass.token_hash,
                contract=contract_span(contract.start_date, contract.end_date),
                plates=plates,
                state=grant_state_for(contract.status),
            ),
            now=now,
        )
    else:
        if waiting is not None:  # a next term refused or withdrawn: the pass stays put
            waiting.successor = None
            waiting.save(update_fields=["successor", "updated_at"])
        if own is not None and own.successor_id is not None:
            handed_to = own.successor_id
            _handed_over(own, to=own.successor)
            own = None
        stopped = contract.status in STOPPED_STATUSES
        changed = grants_write(contract=contract, wanted=None if stopped else [], now=now)
        plates = []
    pass_changed = own is not None and _pass_refresh(own, contract, plates, now)
    if own is not None:
        _announce(own, contract, send=announce)
    return SyncResult(own.pk if own else None, changed, pass_changed), handed_to


def _term_over(contract: Subscription, now: dt.datetime) -> bool:
    return contract.end_date is not None and contract.end_date < local_today(now)


def _pass_found_or_issued(
    contract: Subscription, now: dt.datetime
) -> tuple[AccessPass | None, AccessPass | None]:
    """(own pass, pass waiting to be taken over): a renewed one, or a new one."""
    renewed = _renewed_pass(contract)
    if renewed is None:
        return _pass_issue(contract, now), None
    if renewed.subscription.status in STOPPED_STATUSES:
        return _handed_over(renewed, to=contract), None
    renewed.successor = contract
    renewed.save(update_fields=["successor", "updated_at"])
    return None, renewed


def _renewed_pass(contract: Subscription) -> AccessPass | None:
    """The pass of the same person's previous term, if this contract follows it.

    The previous contract ended (or ends) before this one starts, at most RENEWAL_GAP
    earlier, and was not stopped for a fault (refused, cancelled, unpaid): its pass, in
    the person's wallet, is updated to show this contract instead of a new one.
    """
    return (
        AccessPass.objects.filter(
            organization_id=contract.organization_id,
            subscription__person_id=contract.person_id,
            subscription__end_date__lt=contract.start_date,
            subscription__end_date__gte=contract.start_date - RENEWAL_GAP,
            subscription__status__in=[*PASS_STATUSES, Status.ENDED],
            successor__isnull=True,
        )
        .exclude(subscription=contract)
        .select_related("subscription")
        .order_by("-subscription__end_date", "-pk")
        .first()
    )


def _pass_issue(contract: Subscription, now: dt.datetime) -> AccessPass:
    issued = token_issue()
    access_pass = AccessPass.objects.create(
        organization_id=contract.organization_id,
        subscription=contract,
        token_hash=issued.hash,
        token_sealed=issued.sealed,
        token_issued_at=now,
        state=pass_state_for(contract.status),
        changed_at=now,
    )
    audit_log(
        action="access.pass_issued",
        actor=None,
        organization=contract.organization,
        target=contract,
        data={"serial_number": str(access_pass.serial_number)},
    )
    return access_pass


def _handed_over(access_pass: AccessPass, *, to: Subscription) -> AccessPass:
    previous = access_pass.subscription_id
    access_pass.subscription = to
    access_pass.successor = None
    access_pass.save(update_fields=["subscription", "successor", "updated_at"])
    audit_log(
        action="access.pass_renewed",
        actor=None,
        organization=to.organization,
        target=to,
        data={"serial_number": str(access_pass.serial_number), "previous_contract": previous},
    )
    return access_pass


def _plates(contract: Subscription) -> list[PlateSpan]:
    """The account's plates over time: vehicles belong to the person, on every portal."""
    changes = VehicleChange.objects.filter(vehicle__owner_id=contract.person_id).only(
        "id", "vehicle_id", "action", "after", "effective_at"
    )
    return plate_spans(changes)


def _shown_digest(access_pass: AccessPass, contract: Subscription, plates: list[PlateSpan]) -> str:
    """What a wallet shows of the pass, hashed: the revision moves when this does."""
    holder = Profile.objects.filter(user_id=contract.person_id).values_list(
        "first_name", "last_name"
    )
    lots = sorted({contract.lot_id, *contract.product.lots.values_list("pk", flat=True)})
    # The plates registered now (the last state of each), whatever their delay.
    latest = sorted({(p.plate, p.jurisdiction) for p in plates if p.span.end is None})
    shown = {
        "contract": contract.contract_number,
        "state": access_pass.state,
        "start": contract.start_date.isoformat(),
        "end": contract.end_date.isoformat() if contract.end_date else None,
        "lots": lots,
        "plates": latest,
        "holder": list(holder.first() or ()),
        "token": access_pass.token_hash,
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _pass_refresh(
    access_pass: AccessPass, contract: Subscription, plates: list[PlateSpan], now: dt.datetime
) -> bool:
    """Its state and what it shows brought up to date; True when a wallet must update."""
    access_pass.state = pass_state_for(contract.status)
    digest = _shown_digest(access_pass, contract, plates)
    if digest == access_pass.shown_digest:
        return False
    first = not access_pass.shown_digest
    access_pass.shown_digest = digest
    if not first:
        access_pass.revision += 1
        access_pass.changed_at = now
    access_pass.save(
        update_fields=["state", "shown_digest", "revision", "changed_at", "updated_at"]
    )
    if first:
        return False  # just issued: no wallet holds it yet
    for path in settings.PARCAUTO_PASS_CHANGED_TASKS:
        enqueue_by_name(path, organization_id=access_pass.organization_id, pass_id=access_pass.pk)
    return True


def _announce(access_pass: AccessPass, contract: Subscription, *, send: bool) -> None:
    """ "Votre carte d'accès virtuelle": once per contract, when it becomes active."""
    if contract.status != Status.ACTIVE or access_pass.announced_for_id == contract.pk:
        return
    access_pass.announced_for = contract
    access_pass.save(update_fields=["announced_for", "updated_at"])
    if send:
        emails.pass_email_queue(access_pass=access_pass, contract=contract)
