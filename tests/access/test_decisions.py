"""Gate decisions: every reason, its precedence, idempotency, clock skew and isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.access.decisions import (
    ClockSkew,
    InvalidJurisdiction,
    InvalidPlate,
    LotNotBound,
    MalformedToken,
    NonceReused,
    UnknownLane,
    UnknownLot,
    access_decide,
)
from parcauto.access.models import AccessEvent, AccessGrant, Device, Reason
from parcauto.subscriptions.models import Subscription
from tests.factories import ParkingLotFactory
from tests.offers import supervisor_offer
from tests.scoping import within

from .conftest import NOW
from .grants import contract_of, device_of, grant_for, pass_token

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
_nonces = iter(range(1, 1_000_000))


@pytest.fixture
def contract(offer) -> Subscription:
    return contract_of(offer, start=NOW.date() - dt.timedelta(days=30))


@pytest.fixture
def gate(offer) -> Device:
    return device_of(offer.lot, at=NOW - DAY).device


def decide(gate: Device, *, at: dt.datetime = NOW, nonce: str | None = None, **asked):
    asked.setdefault("lot_id", gate.lot_id)
    asked.setdefault("lane", "")
    asked.setdefault("direction", AccessEvent.Direction.ENTRY)
    return access_decide(
        device=gate,
        device_time=asked.pop("device_time", at),
        nonce=nonce or f"n-{next(_nonces)}",
        now=at,
        **asked,
    )


def started(contract: Subscription, **window) -> dict:
    window.setdefault("contract_from", NOW - 30 * DAY)
    return window


# --- Each reason -------------------------------------------------------------------------


def test_a_valid_pass_opens_and_is_recorded_against_its_contract(contract, gate):
    token = pass_token()
    grant_for(contract, token=token, **started(contract))
    decision = decide(gate, token=token)
    assert (decision.event.allowed, decision.event.reason) == (True, Reason.ALLOWED)
    assert decision.event.subscription_id == contract.pk
    assert decision.display == {"fr": "Permis valide", "en": "Valid permit"}
    assert AccessEvent.objects.count() == 1


def test_a_token_nobody_holds_is_unknown(contract, gate):
    grant_for(contract, token=pass_token(), **started(contract))
    decision = decide(gate, token=pass_token())
    assert (decision.event.allowed, decision.event.reason) == (False, Reason.UNKNOWN)
    assert decision.event.subscription_id is None
    assert decision.display["fr"] == "Carte ou plaque inconnue"


@pytest.mark.parametrize(
    "token", ["", "short", "a" * 129, "pas un code!", "ééééééééééééééééééééééé"]
)
def test_a_malformed_token_is_refused_before_any_decision(gate, token):
    with pytest.raises(MalformedToken):
        decide(gate, token=token)
    assert AccessEvent.objects.count() == 0


def test_a_pass_for_another_lot_of_the_institution_is_the_wrong_lot(offer, contract, gate):
    elsewhere = ParkingLotFactory(organization=offer.organization, number="2000")
    token = pass_token()
    grant_for(contract, lot=elsewhere, token=token, **started(contract))
    decision = decide(gate, token=token)
    assert (decision.event.allowed, decision.event.reason) == (False, Reason.WRONG_LOT)


@pytest.mark.parametrize(
    ("state", "window", "reason"),
    [
        (AccessGrant.State.CANCELLED, {}, Reason.CANCELLED),
        (AccessGrant.State.SUSPENDED, {}, Reason.SUSPENDED),
        (AccessGrant.State.VALID, {"valid_until": NOW}, Reason.EXPIRED),
        (AccessGrant.State.VALID, {"contract_from": NOW + HOUR}, Reason.NOT_YET_VALID),
        (
            AccessGrant.State.VALID,
            {"contract_from": NOW - DAY, "valid_from": NOW + HOUR},
            Reason.VEHICLE_NOT_IN_EFFECT,
        ),
    ],
)
def test_each_state_and_window_gives_its_reason(contract, gate, state, window, reason):
    grant_for(contract, plate="ABC123", state=state, **started(contract, **window))
    decision = decide(gate, plate="abc 123", jurisdiction="QC")
    assert (decision.event.allowed, decision.event.reason) == (False, reason)
    assert decision.event.plate == "ABC123"


def test_a_revoked_grant_is_as_if_it_never_was(contract, gate):
    """An old token after "Régénérer mon code", a removed vehicle."""
    token = pass_token()
    grant_for(contract, token=token, state=AccessGrant.State.REVOKED, **started(contract))
    assert decide(gate, token=token).event.reason == Reason.UNKNOWN


def test_cancelled_comes_before_expired_on_one_grant(contract, gate):
    token = pass_token()
    grant_for(
        contract,
        token=token,
        state=AccessGrant.State.CANCELLED,
        **started(contract, valid_until=NOW),
    )
    assert decide(gate, token=token).event.reason == Reason.CANCELLED


def test_with_several_grants_the_one_nearest_to_opening_counts(offer, contract, gate):
    renewal = contract_of(offer, start=NOW.date() + dt.timedelta(days=3))
    grant_for(contract, plate="ABC123", state=AccessGrant.State.CANCELLED, **started(contract))
    grant_for(renewal, plate="ABC123", contract_from=NOW + 3 * DAY)
    decision = decide(gate, plate="ABC123", jurisdiction="QC")
    assert (decision.event.reason, decision.event.subscription_id) == (
        Reason.NOT_YET_VALID,
        renewal.pk,
    )
    grant_for(renewal, plate="ABC123", contract_from=NOW - HOUR, valid_from=NOW - HOUR)
    assert decide(gate, plate="ABC123", jurisdiction="QC").event.allowed is True


def test_a_plate_is_matched_with_its_jurisdiction(contract, gate):
    grant_for(contract, plate="ABC123", jurisdiction="ON", **started(contract))
    assert decide(gate, plate="ABC123", jurisdiction="QC").event.reason == Reason.UNKNOWN
    assert decide(gate, plate="ABC-123", jurisdiction="ON").event.reason == Reason.ALLOWED


def test_a_quebec_certificate_check_digit_is_dropped(contract, gate):
    grant_for(contract, plate="ABC123", **started(contract))
    assert decide(gate, plate="ABC123-4", jurisdiction="QC").event.allowed is True


@pytest.mark.parametrize(
    ("plate", "jurisdiction", "error"),
    [
        ("A", "QC", InvalidPlate),
        ("ABC 123 456 789", "QC", InvalidPlate),
        ("ABC\x00123", "QC", InvalidPlate),
        ("ABC123", "ZZ", InvalidJurisdiction),
        ("ABC123", "", InvalidJurisdiction),
    ],
)
def test_a_plate_no_camera_could_read_is_refused(gate, plate, jurisdiction, error):
    with pytest.raises(error):
        decide(gate, plate=plate, jurisdiction=jurisdiction)


# --- Anti-passback and exits -------------------------------------------------------------


def test_anti_passback_refuses_a_second_entry_until_an_exit(offer, contract, gate):
    offer.lot.anti_passback = True
    offer.lot.save()
    gate.lot.anti_passback = True
    token = pass_token()
    grant_for(contract, token=token, **started(contract))
    assert decide(gate, token=token).event.reason == Reason.ALLOWED
    second = decide(gate, token=token, at=NOW + HOUR).event
    assert (second.allowed, second.reason) == (False, Reason.ANTI_PASSBACK)
    assert decide(gate, token=token, at=NOW + 2 * HOUR, direction="exit").event.allowed
    assert decide(gate, token=token, at=NOW + 3 * HOUR).event.reason == Reason.ALLOWED


def test_without_anti_passback_two_entries_are_allowed(contract, gate):
    token = pass_token()
    grant_for(contract, token=token, **started(contract))
    assert decide(gate, token=token).event.allowed
    assert decide(gate, token=token, at=NOW + HOUR).event.allowed


def test_an_exit_opens_for_a_lapsed_permit_and_says_why(contract, gate):
    token = pass_token()
    grant_for(contract, token=token, **started(contract, valid_until=NOW - HOUR))
    exit_ = decide(gate, token=token, direction="exit").event
    assert (exit_.allowed, exit_.reason) == (True, Reason.EXPIRED)
    assert decide(gate, token=pass_token(), direction="exit").event.allowed is False


# --- Retries, nonces, clocks -------------------------------------------------------------


def test_a_retry_gets_the_stored_decision_and_records_one_event(contract, gate):
    token = pass_token()
    grant = grant_for(contract, token=token, **started(contract))
    first = decide(gate, token=token, nonce="gate-a-0001")
    grant.state = AccessGrant.State.SUSPENDED  # changed since: the retry still gets the first
    grant.save()
    again = decide(
        gate, token=token, nonce="gate-a-0001", at=NOW + dt.timedelta(seconds=5), device_time=NOW
    )
    assert (again.replayed, again.event.pk, again.event.allowed) == (True, first.event.pk, True)
    assert AccessEvent.objects.count() == 1


def test_the_same_nonce_for_another_request_is_refused(contract, gate):
    token = pass_token()
    decide(gate, token=token, nonce="gate-a-0002")
    with pytest.raises(NonceReused):
        decide(gate, token=pass_token(), nonce="gate-a-0002")
    with pytest.raises(NonceReused):
        decide(gate, token=token, nonce="gate-a-0002", direction="exit")
    assert AccessEvent.objects.count() == 1


def test_nonces_are_per_device(offer, contract):
    first = device_of(offer.lot, name="Entrée", at=NOW).device
    second = device_of(offer.lot, name="Sortie", at=NOW).device
    decide(first, token=pass_token(), nonce="0001")
    decide(second, token=pass_token(), nonce="0001")
    assert AccessEvent.objects.count() == 2


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=5, seconds=1), -dt.timedelta(minutes=6)])
def test_a_device_clock_too_far_from_the_servers_is_refused(gate, offset):
    with pytest.raises(ClockSkew, match="second"):
        decide(gate, token=pass_token(), device_time=NOW + offset)
    assert AccessEvent.objects.count() == 0


def test_a_clock_within_five_minutes_is_accepted(gate):
    assert decide(gate, token=pass_token(), device_time=NOW - dt.timedelta(minutes=5)).event


def test_a_late_retry_of_a_decided_request_still_gets_its_decision(gate):
    token = pass_token()
    first = decide(gate, token=token, nonce="late")
    again = decide(gate, token=token, nonce="late", device_time=NOW, at=NOW + HOUR)
    assert again.replayed and again.event.pk == first.event.pk


# --- The device's lot, lanes, institution ------------------------------------------------


def test_a_device_decides_for_its_own_lot_only(offer, gate):
    other_lot = ParkingLotFactory(organization=offer.organization, number="2000")
    with pytest.raises(LotNotBound):
        decide(gate, token=pass_token(), lot_id=other_lot.pk)
    with pytest.raises(UnknownLot):
        decide(gate, token=pass_token(), lot_id=other_lot.pk + 1000)


def test_another_institutions_lot_answers_as_an_unknown_one(gate, other_organization):
    with within(other_organization):
        theirs = ParkingLotFactory(organization=other_organization)
    with pytest.raises(UnknownLot):
        decide(gate, token=pass_token(), lot_id=theirs.pk)


def test_another_institutions_contracts_are_unknown_to_a_device(gate, other_organization):
    token = pass_token()
    theirs = supervisor_offer(other_organization, lot_number="1534")
    with within(other_organization):
        grant_for(contract_of(theirs, start=NOW.date()), token=token, contract_from=NOW - DAY)
        grant_for(contract_of(theirs, start=NOW.date()), plate="XYZ987", contract_from=NOW - DAY)
    assert decide(gate, token=token).event.reason == Reason.UNKNOWN
    assert decide(gate, plate="XYZ987", jurisdiction="QC").event.reason == Reason.UNKNOWN


def test_a_device_with_lanes_names_one_of_them(offer):
    gate = device_of(offer.lot, lanes="Entrée 1, Sortie 1", at=NOW).device
    assert decide(gate, token=pass_token(), lane="Entrée 1").event.lane == "Entrée 1"
    with pytest.raises(UnknownLane):
        decide(gate, token=pass_token(), lane="Entrée 2")
