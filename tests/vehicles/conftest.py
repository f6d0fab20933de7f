from __future__ import annotations

import datetime as dt

import pytest

from parcauto.vehicles.services import VehicleData
from tests.factories import UserFactory

# 10:00 in Sherbrooke on a weekday: far from any date edge.
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def corolla(**changes: object) -> VehicleData:
    values: dict[str, object] = {
        "plate": "abc-123",
        "jurisdiction": "QC",
        "make": "Toyota",
        "model": "Corolla",
        "year": 2019,
        "colour": "Gris",
    }
    return VehicleData(**(values | changes))  # type: ignore[arg-type]


@pytest.fixture
def marie(db):
    return UserFactory(email="marie@example.com")
