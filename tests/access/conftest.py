from __future__ import annotations

import datetime as dt

import pytest

from parcauto.core.clock import LOCAL_TZ
from tests.offers import Offer, supervisor_offer

# Monday 2 November 2026, 8:00 in Quebec.
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def offer(organization) -> Offer:
    return supervisor_offer(organization)
