"""Gate decisions: may this pass or plate go through this lane of this lot, now?

The answer reads the stored grants only (`models.AccessGrant`), found by the credential's
index: a pass by the SHA-256 of its token, a plate by its normalised form and
jurisdiction. Revoked grants (an old token, a removed vehicle) are as if they never were.

Reasons, in this order (the first that applies):
1. unknown: no grant of the institution has this credential;
2. wrong lot: grants exist, for other lots only;
3. each grant of this lot gives its own reason, checked in the order cancelled,
   suspended, expired, not yet valid (the contract starts later), vehicle not yet in
   effect (the contract has started, the plate's 24 h have not passed), else allowed;
   with several (a renewal, a second contract) the one nearest to opening counts;
4. anti-passback (lots that ask for it): an entry after an entry, with no exit between,
   for the same contract.
An exit opens for any credential this lot has a grant for, whatever the grant's state:
nobody is kept inside; the reason still says what an entry would have been told.

`access_decide` records each decision as an `AccessEvent`, once per (device, nonce): a
retry of the same request gets the stored decision back; the same nonce with another
request is refused. A device's clock too far from the server's is refused (the event
would be filed at the wrong time, and a replayed capture would look fresh).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import ParkingLot
from parcauto.core.errors import DomainError
from parcauto.vehicles.models import JURISDICTION_CODES
from parcauto.vehicles.normalizers import normalize_plate

from .devices import LANE_MAX_LENGTH, device_lanes
from .gate_sql import event_insert, grants_matching
from .models import AccessEvent, AccessGrant, Device, Reason

# What a pass's QR code carries: an opaque random token in URL-safe base64 (at least 128
# bits, so at least 22 characters). Anything else cannot be a pass and is refused as such.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,128}", re.ASCII)
NONCE_PATTERN = re.compile(r"[\x21-\x7e]{1,64}", re.ASCII)  # printable ASCII, no space
# How close to opening each reason is: with several grants, the highest counts.
_NEAREST = [
    Reason.CANCELLED,
    Reason.SUSPENDED,
    Reason.EXPIRED,
    Reason.NOT_YET_VALID,
    Reason.VEHICLE_NOT_IN_EFFECT,
    Reason.ALLOWED,
]
Direction = AccessEvent.Direction


class DecisionError(DomainError):
    """A request no decision is made for; `field` names the input at fault, if one is."""

    code = "decision_error"
    field = ""


class MalformedToken(DecisionError):
    code = "malformed_token"
    field = "token"

    def __init__(self) -> None:
        super().__init__(_("This is not a pass code: it cannot belong to any pass."))


class InvalidPlate(DecisionError):
    code = "invalid_plate"
    field = "plate"

    def __init__(self) -> None:
        super().__init__(_("Enter the plate number with letters and digits only."))


class InvalidJurisdiction(DecisionError):
    code = "invalid_province"
    field = "province"

    def __init__(self) -> None:
        super().__init__(_("Give the province or state as its two-letter code, e.g. QC."))


class UnknownLot(DecisionError):
    """No such lot in the device's institution: another institution's answers the same."""

    code = "unknown_lot"
    field = "lot"

    def __init__(self) -> None:
        super().__init__(_("There is no such parking lot."))


class LotNotBound(DecisionError):
    code = "lot_not_bound"
    field = "lot"

    def __init__(self) -> None:
        super().__init__(_("This device is registered for another parking lot."))


class UnknownLane(DecisionError):
    code = "unknown_lane"
    field = "lane"

    def __init__(self) -> None:
        super().__init__(_("This device serves no lane by that name."))


class ClockSkew(DecisionError):
    code = "clock_skew"
    field = "device_time"

    def __init__(self, *, skew: dt.timedelta) -> None:
        super().__init__(
            _(
                "The device's clock is %(seconds)d seconds away from the server's (at most "
                "%(limit)d allowed): set its time, then ask again with a new nonce."
            )
            % {"seconds": abs(skew.total_seconds()), "limit": max_clock_skew().total_seconds()}
        )


class NonceReused(DecisionError):
    code = "nonce_reused"
    field = "nonce"

    def __init__(self) -> None:
        super().__init__(
            _("This nonce was already used for another request: use a new one for each.")
        )


class InvalidDirection(DecisionError):
    code = "invalid_direction"
    field = "direction"

    def __init__(self) -> None:
        super().__init__(_("The direction is “entry” or “exit”."))


class InvalidNonce(DecisionError):
    code = "invalid_nonce"
    field = "nonce"

    def __init__(self) -> None:
        super().__init__(_("A nonce has 1 to 64 printable ASCII characters, without spaces."))


@dataclass(frozen=True)
class Credential:
    """What was shown at the gate, as grants store it."""

    kind: str  # AccessGrant.Kind
    value: str  # a token's SHA-256 (hex), or a normalised plate
    jurisdiction: str = ""


def token_credential(token: str) -> Credential:
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise MalformedToken
    return Credential(AccessGrant.Kind.PASS, hashlib.sha256(token.encode()).hexdigest())


def plate_credential(plate: str, jurisdiction: str) -> Credential:
    if jurisdiction not in JURISDICTION_CODES:
        raise InvalidJurisdiction
    try:
        normalised = normalize_plate(plate, jurisdiction=jurisdiction)
    except Exception:  # ValidationError, or a value no person could type
        raise InvalidPlate from None
    return Credential(AccessGrant.Kind.PLATE, normalised, jurisdiction)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: Reason
    subscription_id: int | None  # the contract the answer is about, if any


def _grant_reason(
    state: str,
    contract_from: dt.datetime,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None,
    now: dt.datetime,
) -> Reason:
    if state == AccessGrant.State.CANCELLED:
        return Reason.CANCELLED
    if state == AccessGrant.State.SUSPENDED:
        return Reason.SUSPENDED
    if valid_until is not None and now >= valid_until:
        return Reason.EXPIRED
    if now < contract_from:
        return Reason.NOT_YET_VALID
    if now < valid_from:
        return Reason.VEHICLE_NOT_IN_EFFECT
    return Reason.ALLOWED


def grant_nearest[Row: Sequence[Any]](
    rows: Sequence[Row], *, lot_id: int, now: dt.datetime
) -> tuple[Reason, Row | None]:
    """The reason a credential's grants give at a lot (steps 1 to 3 of the module
    docstring), and the grant it is about: None when unknown.

    Each row starts with `(lot, contract, state, contract_from, valid_from, valid_until)`
    (`gate_sql.grants_matching`); patrol reads the same answer from longer rows.
    """
    if not rows:
        return Reason.UNKNOWN, None
    here = [
        (_grant_reason(row[2], row[3], row[4], row[5], now), row)
        for row in rows
        if row[0] == lot_id
    ]
    if not here:
        return Reason.WRONG_LOT, rows[0]
    return max(here, key=lambda found: _NEAREST.index(found[0]))


def access_evaluate(
    *, lot: ParkingLot, credential: Credential, direction: str, now: dt.datetime
) -> Verdict:
    """The decision for `credential` at `lot` (module docstring), recording nothing."""
    passback = lot.anti_passback and direction == Direction.ENTRY
    rows = grants_matching(
        organization_id=lot.organization_id,
        kind=credential.kind,
        credential=credential.value,
        jurisdiction=credential.jurisdiction if credential.kind == AccessGrant.Kind.PLATE else None,
        passback_lot_id=lot.pk if passback else None,
    )
    reason, grant = grant_nearest(rows, lot_id=lot.pk, now=now)
    subscription_id = grant[1] if grant is not None else None
    if reason in (Reason.UNKNOWN, Reason.WRONG_LOT):
        return Verdict(allowed=False, reason=reason, subscription_id=subscription_id)
    assert grant is not None  # noqa: S101 - a grant of this lot answered
    last = grant[6]
    if direction == Direction.EXIT:
        return Verdict(allowed=True, reason=reason, subscription_id=subscription_id)
    if reason == Reason.ALLOWED and passback and last == Direction.ENTRY:
        # The contract's last accepted passage here was an entry, with no exit since.
        reason = Reason.ANTI_PASSBACK
    return Verdict(allowed=reason == Reason.ALLOWED, reason=reason, subscription_id=subscription_id)


@cache
def reason_display(reason: str) -> dict[str, str]:
    """What a gate may show for `reason`, in French and in English."""
    label = Reason(reason).label
    shown = {}
    for language in ("fr", "en"):
        with translation.override(language):
            shown[language] = str(label)
    return shown


def max_clock_skew() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PARCAUTO_ACCESS_MAX_CLOCK_SKEW_SECONDS)


@dataclass(frozen=True)
class Decision:
    event: AccessEvent
    replayed: bool  # a retry: the stored decision, nothing recorded again

    @property
    def display(self) -> dict[str, str]:
        return reason_display(self.event.reason)


def _digest(*, lot_id: int, lane: str, direction: str, credential: Credential, at: str) -> str:
    asked = [
        lot_id,
        lane,
        direction,
        credential.kind,
        credential.value,
        credential.jurisdiction,
        at,
    ]
    return hashlib.sha256(json.dumps(asked).encode()).hexdigest()


def _stored(*, device: Device, nonce: str, digest: str) -> Decision | None:
    """The decision already made for this nonce: None if none, NonceReused if it was made
    for another request."""
    stored = AccessEvent.objects.filter(device=device, nonce=nonce).first()
    if stored is None:
        return None
    if stored.request_digest != digest:
        raise NonceReused
    return Decision(event=stored, replayed=True)


def device_lot(device: Device, lot_id: int) -> ParkingLot:
    """The device's own lot, if `lot_id` names it; LotNotBound or UnknownLot otherwise."""
    if lot_id == device.lot_id:
        return device.lot
    # The scope is the device's institution: another institution's lot is not found.
    if ParkingLot.objects.filter(pk=lot_id).exists():
        raise LotNotBound
    raise UnknownLot


def access_decide(
    *,
    device: Device,
    lot_id: int,
    lane: str,
    direction: str,
    device_time: dt.datetime,
    nonce: str,
    now: dt.datetime,
    token: str | None = None,
    plate: str | None = None,
    jurisdiction: str | None = None,
) -> Decision:
    """Decide and record, once per (device, nonce): a pass `token`, or a `plate` with its
    `jurisdiction`. Run in the device's institution's scope."""
    if (token is None) == (plate is None):
        raise ValueError("give a token or a plate, not both")
    if not NONCE_PATTERN.fullmatch(nonce):
        raise InvalidNonce
    credential = (
        token_credential(token)
        if token is not None
        else plate_credential(plate or "", jurisdiction or "")
    )
    if direction not in Direction.values:
        raise InvalidDirection
    lot = device_lot(device, lot_id)
    lanes = device_lanes(device)
    if (lanes and lane not in lanes) or len(lane) > LANE_MAX_LENGTH:
        raise UnknownLane
    digest = _digest(
        lot_id=lot.pk,
        lane=lane,
        direction=direction,
        credential=credential,
        at=device_time.isoformat(),
    )
    skew = device_time - now
    if abs(skew) > max_clock_skew():
        # A late retry of a request decided in time still gets its decision back.
        stored = _stored(device=device, nonce=nonce, digest=digest)
        if stored is None:
            raise ClockSkew(skew=skew)
        return stored
    verdict = access_evaluate(lot=lot, credential=credential, direction=direction, now=now)
    event = AccessEvent(
        organization_id=device.organization_id,
        device=device,
        lot=lot,
        lane=lane,
        direction=direction,
        credential_kind=credential.kind,
        plate=credential.value if credential.kind == AccessGrant.Kind.PLATE else "",
        jurisdiction=credential.jurisdiction,
        subscription_id=verdict.subscription_id,
        allowed=verdict.allowed,
        reason=verdict.reason,
        nonce=nonce,
        request_digest=digest,
        device_time=device_time,
        recorded_at=now,
    )
    if not event_insert(event):  # a retry: its first request is recorded
        stored = _stored(device=device, nonce=nonce, digest=digest)
        assert stored is not None  # noqa: S101 - the conflicting row exists
        return stored
    return Decision(event=event, replayed=False)
