from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from tests.backoffice.requests import offer_of
from tests.offers import Offer
from tests.privacy.builders import Holder, holder_make


@pytest.fixture
def offer(organization) -> Offer:
    return offer_of(organization)


@pytest.fixture
def marie(offer) -> Holder:
    return holder_make(offer)


@pytest.fixture
def jean(offer) -> Holder:
    """Another person, on the same portal."""
    return holder_make(offer, email="jean@example.com", plate="zzz-999")


@pytest.fixture
def after_commit(
    django_capture_on_commit_callbacks,
) -> Callable[[], AbstractContextManager[Iterator[object]]]:
    """`with after_commit():` runs what the block queued after commit (tasks, e-mails), as
    production does once the transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
