"""A monthly permit with one unit, sold to a person paying by card, and the service centre."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.accounts.models import StaffRole, User
from parcauto.catalog.models import PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.subscriptions.models import Subscription
from tests.backoffice.staff import staff_member
from tests.billing.conftest import contract
from tests.factories import ParkingLotFactory, PermitProductFactory, UserCategoryFactory

# Wednesday 10 June 2026, 10:00 in Quebec.
NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
TODAY = NOW.date()
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CARD = "4242 4242 4242 4242"


@pytest.fixture
def product(organization) -> PermitProduct:
    lot = ParkingLotFactory(organization=organization, number="1534")
    category = UserCategoryFactory(organization=organization)
    return PermitProductFactory(
        organization=organization,
        number="5432",
        name_fr="Permis multisites",
        price=Decimal("62.00"),
        quantity=1,
        units_taken=0,
        cancellation_notice_days=30,
        lots=[lot],
        categories=[category],
    )


@pytest.fixture
def active(product) -> Subscription:
    """The holder's active card contract, started in April, open-ended; the only unit."""
    return contract(product, start=dt.date(2026, 4, 1))


@pytest.fixture
def holder(active) -> User:
    return active.person


@pytest.fixture
def agent(organization) -> User:
    return staff_member(StaffRole.Role.AGENT, organization, email="agent@chus.example")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the block queued for after commit (e-mails, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
