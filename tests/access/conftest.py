"""Contracts of a cégep's semester permit, their vehicles, and their passes."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from parcauto.accounts.models import User
from parcauto.catalog.models import PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle
from parcauto.vehicles.services import VehicleData, vehicle_add
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
)
from tests.offers import Offer, supervisor_offer
from tests.scoping import within_its_institution

# Monday 2 November 2026, 8:00 in Quebec.
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=LOCAL_TZ)

_numbers = itertools.count(300_000_001)

# The autumn term of guide 000's cégep, and the winter one after it (passes renewed
# on January 15).
AUTUMN = (dt.date(2026, 8, 24), dt.date(2026, 12, 20))
WINTER = (dt.date(2027, 1, 15), dt.date(2027, 5, 20))


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL_TZ)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)


@pytest.fixture
def product(organization) -> PermitProduct:
    lot = ParkingLotFactory(organization=organization, number="1085")
    category = UserCategoryFactory(organization=organization)
    return PermitProductFactory(
        organization=organization,
        number="5569",
        kind=PermitProduct.Kind.FIXED_TERM,
        billing_frequency=PermitProduct.Billing.PER_TERM,
        term_start=AUTUMN[0],
        term_end=WINTER[1],
        price=Decimal("180.00"),
        lots=[lot],
        categories=[category],
    )


@pytest.fixture
def person(db) -> User:
    return ProfileFactory(first_name="Léa", last_name="Gagnon").user


def add_vehicle(person: User, *, plate: str, now: dt.datetime) -> Vehicle:
    data = VehicleData(
        plate=plate, jurisdiction="QC", make="Honda", model="Civic", year=2021, colour="Bleu"
    )
    return vehicle_add(owner=person, data=data, actor=person, now=now)


@within_its_institution
def contract(
    product: PermitProduct,
    person: User,
    *,
    start: dt.date = AUTUMN[0],
    end: dt.date | None = AUTUMN[1],
    status: str = Subscription.Status.ACTIVE,
) -> Subscription:
    """A contract as approval leaves it (no means of payment: access does not read it)."""
    return Subscription.objects.create(
        organization=product.organization,
        person=person,
        lot=product.lots.order_by("pk").first(),
        category=product.categories.first(),
        product=product,
        status=status,
        step=Subscription.Step.PAYMENT,
        start_date=start,
        end_date=end,
        payment_method="card",
        price=product.price,
        billing_frequency=product.billing_frequency,
        contract_number=next(_numbers),
        holds_unit=True,
        activated_at=at(start) if status == Subscription.Status.ACTIVE else None,
    )


@pytest.fixture
def offer(organization) -> Offer:
    return supervisor_offer(organization)
