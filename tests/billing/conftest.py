"""Contracts ready to bill: monthly, paid by a card stored in the sandbox gateway's vault."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from parcauto.catalog.models import PaymentMethodKind, PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.subscriptions.models import Subscription
from tests.factories import (
    OrganizationFactory,
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
)
from tests.scoping import within_its_institution

_numbers = itertools.count(200_000_001)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
def gateway() -> SandboxGateway:
    return SandboxGateway()


@pytest.fixture
def product(organization) -> PermitProduct:
    lot = ParkingLotFactory(organization=organization, number="1085")
    category = UserCategoryFactory(organization=organization)
    return PermitProductFactory(
        organization=organization,
        number="7117",
        price=Decimal("45.00"),
        quantity=None,  # unlimited: hypothesis makes many contracts
        units_taken=0,
        lots=[lot],
        categories=[category],
    )


@within_its_institution
def contract(
    product: PermitProduct,
    *,
    start: dt.date,
    end: dt.date | None = None,
    status: str = Subscription.Status.ACTIVE,
    price: Decimal | None = None,
    billing: str = PermitProduct.Billing.MONTHLY,
    method: str = PaymentMethodKind.CARD,
    behaviour: str = Behaviour.APPROVE,
    card_status: str = PaymentMethod.Status.ACTIVE,
) -> Subscription:
    """A contract of `product` with its card on file, as approval leaves it."""
    person = ProfileFactory().user
    subscription = Subscription.objects.create(
        organization=product.organization,
        person=person,
        lot=product.lots.first(),
        category=product.categories.first(),
        product=product,
        status=status,
        step=Subscription.Step.PAYMENT,
        start_date=start,
        end_date=end,
        payment_method=method,
        price=price if price is not None else product.price,
        billing_frequency=billing,
        taxable=True,
        contract_number=next(_numbers),
        holds_unit=True,
    )
    PermitProduct.objects.filter(pk=product.pk).update(units_taken=product.units_taken + 1)
    product.refresh_from_db()
    if method == PaymentMethodKind.CARD:
        card = SandboxCard.objects.create(
            token=f"dk{subscription.pk:023d}",
            permanent=True,
            behaviour=behaviour,
            brand="visa",
            last4="4242",
            expiry="3012",
        )
        PaymentMethod.objects.create(
            organization=product.organization,
            subscription=subscription,
            person=person,
            kind=PaymentMethodKind.CARD,
            status=card_status,
            gateway="sandbox",
            data_key=card.token,
            issuer_id="123456789012345",
        )
    return subscription


@pytest.fixture
def other_product(db) -> PermitProduct:
    organization = OrganizationFactory(slug="cisso", hostname="cisso.testserver")
    lot = ParkingLotFactory(organization=organization)
    category = UserCategoryFactory(organization=organization)
    return PermitProductFactory(
        organization=organization, price=Decimal("30.00"), lots=[lot], categories=[category]
    )
