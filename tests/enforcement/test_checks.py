"""Plate checks: every reason as the clock moves, look-alikes, idempotent device reads."""

from __future__ import annotations

import pytest
import time_machine
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parcauto.access.decisions import plate_credential
from parcauto.access.models import AccessGrant, Device
from parcauto.catalog.models import PermitProduct
from parcauto.core import clock
from parcauto.enforcement.models import CheckReason, ClaimNotice, PlateCheck, Verdict
from parcauto.enforcement.services.checks import plate_answer, plate_check
from parcauto.enforcement.services.matching import PLATE_ALPHABET, plate_lookalikes
from tests.access.grants import device_of
from tests.factories import ParkingLotFactory, UserFactory
from tests.offers import supervisor_offer
from tests.scoping import within

from .checking import DAY, HOUR, NOW, contract_number, monthly_offer, notice_for, permit

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def offer(organization):
    return monthly_offer(organization)


@pytest.fixture
def agent(db):
    return UserFactory()


def check(lot, plate: str, *, province: str = "QC", **extra) -> PlateCheck:
    """A patrol agent's check, now by the (moved) clock."""
    extra.setdefault("source", PlateCheck.Source.PATROL)
    return plate_check(
        lot=lot, credential=plate_credential(plate, province), now=clock.now(), **extra
    )


def said(found: PlateCheck) -> tuple[str, str]:
    return found.verdict, found.reason


# --- Each reason -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_valid_permit_is_valid_and_says_whose_contract(offer, agent) -> None:
    grant = permit(offer, "ABC123")
    found = check(offer.lot, "abc 123", agent=agent)
    assert said(found) == (Verdict.VALID, CheckReason.VALID_PERMIT)
    assert (found.plate, found.jurisdiction, found.subscription_id) == (
        "ABC123",
        "QC",
        grant.subscription_id,
    )
    assert found.valid_until is None and found.candidates == []
    assert (found.agent, found.read_at, found.checked_at) == (agent, NOW, NOW)


@time_machine.travel(NOW, tick=False)
def test_a_plate_nobody_holds_has_no_permit(offer) -> None:
    permit(offer, "ABC123")
    assert said(check(offer.lot, "XYZ789")) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)


@time_machine.travel(NOW, tick=False)
def test_a_permit_of_another_lot_is_not_valid_here(offer, organization) -> None:
    elsewhere = ParkingLotFactory(organization=organization, number="2200")
    grant = permit(offer, "ABC123", lot=elsewhere)
    found = check(offer.lot, "ABC123")
    assert said(found) == (Verdict.NOT_VALID, CheckReason.WRONG_LOT)
    assert found.subscription_id == grant.subscription_id
    assert said(check(elsewhere, "ABC123")) == (Verdict.VALID, CheckReason.VALID_PERMIT)


def test_a_new_vehicle_counts_24_hours_after_its_change(offer) -> None:
    with time_machine.travel(NOW, tick=False):
        permit(offer, "NEW123", valid_from=NOW + 20 * HOUR)
        assert said(check(offer.lot, "NEW123")) == (Verdict.NOT_VALID, CheckReason.VEHICLE_PENDING)
    with time_machine.travel(NOW + 20 * HOUR, tick=False):
        assert said(check(offer.lot, "NEW123")) == (Verdict.VALID, CheckReason.VALID_PERMIT)


def test_a_permit_expires_at_its_end(offer) -> None:
    with time_machine.travel(NOW, tick=False):
        permit(offer, "ABC123", valid_until=NOW + HOUR)
        found = check(offer.lot, "ABC123")
        assert said(found) == (Verdict.VALID, CheckReason.VALID_PERMIT)
        assert found.valid_until == NOW + HOUR
    with time_machine.travel(NOW + HOUR, tick=False):
        found = check(offer.lot, "ABC123")
        assert said(found) == (Verdict.NOT_VALID, CheckReason.EXPIRED)
        assert found.valid_until is None


def test_a_contract_starting_later_is_not_yet_valid(offer) -> None:
    with time_machine.travel(NOW, tick=False):
        permit(offer, "ABC123", contract_from=NOW + DAY)
        assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, CheckReason.NOT_YET_VALID)
    with time_machine.travel(NOW + DAY, tick=False):
        assert said(check(offer.lot, "ABC123")) == (Verdict.VALID, CheckReason.VALID_PERMIT)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (AccessGrant.State.SUSPENDED, CheckReason.SUSPENDED),
        (AccessGrant.State.CANCELLED, CheckReason.CANCELLED),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_suspended_or_cancelled_permit_is_not_valid(offer, state, reason) -> None:
    permit(offer, "ABC123", state=state)
    assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, reason)


@time_machine.travel(NOW, tick=False)
def test_a_revoked_grant_is_as_if_it_never_was(offer) -> None:
    permit(offer, "ABC123", state=AccessGrant.State.REVOKED)
    assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)


def test_an_occasional_permit_is_valid_until_its_time(organization) -> None:
    episodic = supervisor_offer(organization)  # guide 001's episodic permit
    assert episodic.product.kind == PermitProduct.Kind.EPISODIC
    tonight = NOW.replace(hour=0, minute=0) + DAY
    with time_machine.travel(NOW, tick=False):
        permit(episodic, "OCC123", contract_from=NOW.replace(hour=0, minute=0), valid_until=tonight)
        found = check(episodic.lot, "OCC123")
        assert said(found) == (Verdict.VALID, CheckReason.VALID_UNTIL)
        assert found.valid_until == tonight
    with time_machine.travel(tonight, tick=False):
        assert said(check(episodic.lot, "OCC123")) == (Verdict.NOT_VALID, CheckReason.EXPIRED)


def test_a_plate_noticed_today_is_said_so_until_midnight(offer, organization) -> None:
    with time_machine.travel(NOW, tick=False):
        notice_for(organization, lot=offer.lot, plate="ABC123", observed_at=NOW - HOUR)
        assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, CheckReason.ALREADY_NOTICED)
    with time_machine.travel(NOW.replace(hour=23, minute=59), tick=False):
        assert check(offer.lot, "ABC123").reason == CheckReason.ALREADY_NOTICED
    with time_machine.travel(NOW.replace(hour=0, minute=0) + DAY, tick=False):
        assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_notice_does_not_count_and_a_valid_permit_wins(offer, organization) -> None:
    notice_for(
        organization,
        lot=offer.lot,
        plate="ABC123",
        observed_at=NOW - HOUR,
        state=ClaimNotice.State.CANCELLED,
    )
    assert check(offer.lot, "ABC123").reason == CheckReason.NO_PERMIT
    permit(offer, "VAL123")
    notice_for(organization, lot=offer.lot, plate="VAL123", observed_at=NOW - HOUR)
    assert said(check(offer.lot, "VAL123")) == (Verdict.VALID, CheckReason.VALID_PERMIT)


# --- Look-alikes ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_valid_lookalike_is_possible_but_the_read_stays_not_valid(offer) -> None:
    grant = permit(offer, "A8C123")
    permit(offer, "ABC1234", state=AccessGrant.State.SUSPENDED)  # not valid: not listed
    found = check(offer.lot, "ABC123")
    assert said(found) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)
    assert found.subscription_id is None
    assert found.candidates == [
        {
            "plate": "A8C123",
            "jurisdiction": "QC",
            "edits": 1,
            "subscription": grant.subscription_id,
            "contract": contract_number(grant),
        }
    ]


@time_machine.travel(NOW, tick=False)
def test_the_same_plate_under_another_province_is_possible(offer, organization) -> None:
    permit(offer, "ABC123", jurisdiction="ON")
    lookalike_elsewhere = ParkingLotFactory(organization=organization, number="2300")
    permit(offer, "A8C123", lot=lookalike_elsewhere)  # valid, but in another lot
    found = check(offer.lot, "ABC123")
    assert said(found) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)
    assert [(c["plate"], c["jurisdiction"], c["edits"]) for c in found.candidates] == [
        ("ABC123", "ON", 0)
    ]


@time_machine.travel(NOW, tick=False)
def test_lookalikes_are_not_searched_for_a_valid_plate(offer, django_assert_max_num_queries):
    permit(offer, "ABC123")
    permit(offer, "A8C123")
    credential = plate_credential("ABC123", "QC")
    with django_assert_max_num_queries(1):
        answer = plate_answer(lot=offer.lot, credential=credential, at=NOW)
    assert (answer.verdict, answer.candidates) == (Verdict.VALID, [])


@time_machine.travel(NOW, tick=False)
def test_a_not_valid_check_costs_three_queries(offer, django_assert_max_num_queries) -> None:
    permit(offer, "A8C123")
    with django_assert_max_num_queries(3):
        answer = plate_answer(lot=offer.lot, credential=plate_credential("ABC123", "QC"), at=NOW)
    assert [c.plate for c in answer.candidates] == ["A8C123"]


@st.composite
def plate_and_lookalike(draw) -> tuple[str, str]:
    plate = draw(st.text(alphabet=PLATE_ALPHABET, min_size=2, max_size=8))
    lookalikes = sorted(plate_lookalikes(plate))
    assume(lookalikes)  # eight characters none of which has a look-alike: nothing to read
    return plate, draw(st.sampled_from(lookalikes))


_property = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_property
@given(st.text(alphabet=PLATE_ALPHABET, min_size=2, max_size=8))
def test_a_plate_always_finds_itself(offer, plate: str) -> None:
    grant = permit(offer, plate)
    try:
        answer = plate_answer(lot=offer.lot, credential=plate_credential(plate, "QC"), at=NOW)
        assert (answer.verdict, answer.subscription_id) == (Verdict.VALID, grant.subscription_id)
    finally:
        grant.delete()


@_property
@given(plate_and_lookalike())
def test_a_valid_lookalike_is_never_reported_as_the_exact_plate(offer, pair) -> None:
    plate, lookalike = pair
    grant = permit(offer, lookalike)
    try:
        answer = plate_answer(lot=offer.lot, credential=plate_credential(plate, "QC"), at=NOW)
        assert (answer.verdict, answer.reason) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)
        assert answer.subscription_id is None
        assert [c.plate for c in answer.candidates] == [lookalike]
    finally:
        grant.delete()


# --- Devices -------------------------------------------------------------------------------


@pytest.fixture
def camera(offer) -> Device:
    return device_of(offer.lot, name="Caméra 2", kind=Device.Kind.PLATE_CAMERA, at=NOW - DAY).device


def test_a_device_read_is_checked_once(offer, camera) -> None:
    with time_machine.travel(NOW, tick=False):
        first = check(offer.lot, "ABC123", device=camera, read_id="cam2-1", source="device")
    permit(offer, "ABC123")
    with time_machine.travel(NOW + HOUR, tick=False):
        again = check(offer.lot, "ABC123", device=camera, read_id="cam2-1", source="device")
        other = check(offer.lot, "ABC123", device=camera, read_id="cam2-2", source="device")
    assert again.pk == first.pk and said(again) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)
    assert said(other) == (Verdict.VALID, CheckReason.VALID_PERMIT)
    assert PlateCheck.objects.filter(device=camera).count() == 2


def test_a_read_is_judged_at_its_own_time(offer, camera) -> None:
    permit(offer, "ABC123", valid_until=NOW)
    with time_machine.travel(NOW + HOUR, tick=False):
        found = check(
            offer.lot,
            "ABC123",
            device=camera,
            read_id="late",
            source="device",
            read_at=NOW - HOUR,
        )
    assert said(found) == (Verdict.VALID, CheckReason.VALID_PERMIT)
    assert (found.read_at, found.checked_at) == (NOW - HOUR, NOW + HOUR)


@time_machine.travel(NOW, tick=False)
def test_another_institutions_permits_are_not_seen(offer, other_organization) -> None:
    theirs = monthly_offer(other_organization)
    permit(theirs, "ABC123")
    with within(other_organization):
        assert check(theirs.lot, "ABC123").verdict == Verdict.VALID
    assert said(check(offer.lot, "ABC123")) == (Verdict.NOT_VALID, CheckReason.NO_PERMIT)
