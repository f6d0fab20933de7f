"""`plate_check`: is this plate valid in this lot, and which look-alikes would be?

The answer is the gates' (`access.decisions.grant_nearest` over the same stored grants),
read at the moment of the read, in words a patrol agent acts on:

- the plate's grants give the reason: valid (an occasional permit: valid until its
  time), no permit, permit for another lot, vehicle change not yet in effect (24 h),
  suspended, expired, cancelled, not yet valid;
- not valid, and the plate already got a notice that day (not cancelled): "already
  noticed today", so no second one is issued;
- not valid: the look-alikes of the read (`matching`) that hold a valid permit in this
  lot, and the same plate under another province, are listed as *possible* matches. They
  never change the verdict: a person confirms the plate before any notice (rule 48).

Each check is kept as a `PlateCheck`. A device's read is checked once per
`(device, read_id)`: a retry gets the stored check back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parcauto.access.decisions import Credential, grant_nearest
from parcauto.access.models import Device
from parcauto.access.models import Reason as GateReason
from parcauto.access.ranges import day_start
from parcauto.accounts.models import User
from parcauto.catalog.models import ParkingLot, PermitProduct
from parcauto.core.clock import local_today

from ..check_sql import GrantRow, check_insert, noticed_between, plate_grant_rows
from ..models import CheckReason, PlateCheck, Verdict
from .matching import plate_lookalikes

# What a gate's reason is called on the street.
_REASONS = {
    GateReason.ALLOWED: CheckReason.VALID_PERMIT,
    GateReason.UNKNOWN: CheckReason.NO_PERMIT,
    GateReason.WRONG_LOT: CheckReason.WRONG_LOT,
    GateReason.NOT_YET_VALID: CheckReason.NOT_YET_VALID,
    GateReason.EXPIRED: CheckReason.EXPIRED,
    GateReason.SUSPENDED: CheckReason.SUSPENDED,
    GateReason.CANCELLED: CheckReason.CANCELLED,
    GateReason.VEHICLE_NOT_IN_EFFECT: CheckReason.VEHICLE_PENDING,
}
# Permits of a day or a few chosen days: the agent is told until when.
_OCCASIONAL = (PermitProduct.Kind.EPISODIC, PermitProduct.Kind.OCCASIONAL)
# More look-alikes than this is a read too poor to act on: the closest are kept.
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Candidate:
    """A look-alike with a valid permit here: to confirm, never to act on alone."""

    plate: str
    jurisdiction: str
    edits: int  # 0: the same plate under another province or state
    subscription_id: int
    contract: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "plate": self.plate,
            "jurisdiction": self.jurisdiction,
            "edits": self.edits,
            "subscription": self.subscription_id,
            "contract": self.contract,
        }


@dataclass(frozen=True)
class Answer:
    verdict: str  # Verdict
    reason: str  # CheckReason
    valid_until: dt.datetime | None
    subscription_id: int | None
    contract_number: int | None
    candidates: list[Candidate]


def _by_plate(rows: list[GrantRow]) -> dict[tuple[str, str], list[GrantRow]]:
    found: dict[tuple[str, str], list[GrantRow]] = defaultdict(list)
    for row in rows:
        found[(row[6], row[7])].append(row)
    return found


def _reason(rows: list[GrantRow], *, lot_id: int, at: dt.datetime) -> tuple[str, GrantRow | None]:
    gate_reason, row = grant_nearest(rows, lot_id=lot_id, now=at)
    reason = _REASONS[gate_reason]
    occasional = row is not None and row[9] in _OCCASIONAL and row[5] is not None
    if reason == CheckReason.VALID_PERMIT and occasional:
        reason = CheckReason.VALID_UNTIL
    return reason, row


def _noticed_that_day(*, organization_id: int, credential: Credential, at: dt.datetime) -> bool:
    day = local_today(at)
    return noticed_between(
        organization_id=organization_id,
        plate=credential.value,
        jurisdiction=credential.jurisdiction,
        start=day_start(day),
        end=day_start(day + dt.timedelta(days=1)),
    )


def _candidates(
    *, lot: ParkingLot, credential: Credential, exact_rows: list[GrantRow], at: dt.datetime
) -> list[Candidate]:
    lookalikes = plate_lookalikes(credential.value)
    rows = exact_rows + plate_grant_rows(
        organization_id=lot.organization_id, plates=list(lookalikes)
    )
    found = []
    for (plate, jurisdiction), grants in _by_plate(rows).items():
        if plate == credential.value:
            if jurisdiction == credential.jurisdiction:
                continue  # the read itself, answered already
            edits = 0
        elif jurisdiction == credential.jurisdiction:
            edits = lookalikes[plate]
        else:
            continue  # a look-alike under another province too: too far a guess
        reason, row = _reason(grants, lot_id=lot.pk, at=at)
        if row is not None and reason in (CheckReason.VALID_PERMIT, CheckReason.VALID_UNTIL):
            found.append(Candidate(plate, jurisdiction, edits, row[1], row[8]))
    found.sort(key=lambda candidate: (candidate.edits, candidate.plate, candidate.jurisdiction))
    return found[:MAX_CANDIDATES]


def plate_answer(*, lot: ParkingLot, credential: Credential, at: dt.datetime) -> Answer:
    """The answer for a normalised plate credential at `lot` at `at`; records nothing."""
    all_provinces = plate_grant_rows(organization_id=lot.organization_id, plates=[credential.value])
    exact = _by_plate(all_provinces).get((credential.value, credential.jurisdiction), [])
    reason, row = _reason(exact, lot_id=lot.pk, at=at)
    valid = reason in (CheckReason.VALID_PERMIT, CheckReason.VALID_UNTIL)
    candidates = []
    if not valid:
        if _noticed_that_day(organization_id=lot.organization_id, credential=credential, at=at):
            reason = CheckReason.ALREADY_NOTICED
        candidates = _candidates(lot=lot, credential=credential, exact_rows=all_provinces, at=at)
    return Answer(
        verdict=Verdict.VALID if valid else Verdict.NOT_VALID,
        reason=reason,
        valid_until=row[5] if row is not None and valid else None,
        subscription_id=row[1] if row is not None else None,
        contract_number=row[8] if row is not None else None,
        candidates=candidates,
    )


def plate_check(
    *,
    lot: ParkingLot,
    credential: Credential,
    now: dt.datetime,
    source: str,
    agent: User | None = None,
    device: Device | None = None,
    read_id: str = "",
    read_at: dt.datetime | None = None,
    camera: str = "",
    confidence: Decimal | None = None,
) -> PlateCheck:
    """Check a plate (`access.decisions.plate_credential`) at `lot` as of `read_at`
    (default `now`) and keep the check. Run in the lot's institution's scope.

    A device's `read_id` is checked once: a retry gets the stored check back unchanged.
    """
    at = read_at or now
    answer = plate_answer(lot=lot, credential=credential, at=at)
    check = PlateCheck(
        organization_id=lot.organization_id,
        lot=lot,
        plate=credential.value,
        jurisdiction=credential.jurisdiction,
        source=source,
        agent=agent,
        device=device,
        read_id=read_id,
        camera=camera,
        confidence=confidence,
        read_at=at,
        checked_at=now,
        verdict=answer.verdict,
        reason=answer.reason,
        valid_until=answer.valid_until,
        subscription_id=answer.subscription_id,
        contract_number=answer.contract_number,
        candidates=[candidate.as_json() for candidate in answer.candidates],
    )
    if device is None or not read_id:
        check.save()
        return check
    if check_insert(check):
        return check
    # A read checked before (a retry, or the same read sent twice at once): its answer.
    return PlateCheck.objects.get(device=device, read_id=read_id)
