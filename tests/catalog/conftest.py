from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ParkingLotFactory, UserCategoryFactory

# A Wednesday afternoon in Sherbrooke, during the winter semester's sales.
NOW = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def lot(organization):
    return ParkingLotFactory(organization=organization, number="1085")


@pytest.fixture
def category(organization):
    return UserCategoryFactory(organization=organization, name_fr="Superviseur de stage")
