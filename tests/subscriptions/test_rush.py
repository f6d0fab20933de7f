"""Opening day: many people submit at the same instant; the quota never oversells."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_scopes import scope

from parcauto.subscriptions.errors import SoldOut
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services import lifecycle
from tests.factories import ProfileFactory
from tests.subscriptions.conftest import NOW, draft_until_payment

BUYERS = 200
UNITS = 50
# PostgreSQL's default max_connections is 100: 40 connections at once, 5 buyers each.
CONNECTIONS = 40


@pytest.mark.django_db(transaction=True)
def test_200_buyers_racing_on_40_connections_for_50_units_get_exactly_50(offer):
    offer.product.quantity = UNITS
    offer.product.save()
    draft_ids = [draft_until_payment(offer, ProfileFactory().user).pk for _ in range(BUYERS)]
    start = threading.Barrier(CONNECTIONS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy_one(draft_id: int) -> str:
        try:
            lifecycle.subscription_submit(
                subscription=Subscription.objects.get(pk=draft_id),  # this thread's own copy
                payment_method="card",
                accepted_payment_conditions=True,
                accepted_charge_after_approval=True,
                now=NOW,
            )
        except SoldOut:
            return "sold out"
        return "accepted"

    def buyer(draft_ids: list[int]) -> None:
        try:
            start.wait()
            with scope(organization=offer.product.organization):
                results = [buy_one(draft_id) for draft_id in draft_ids]
        finally:
            connections.close_all()
        with lock:
            outcomes.extend(results)

    batches = [draft_ids[i::CONNECTIONS] for i in range(CONNECTIONS)]
    threads = [threading.Thread(target=buyer, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("accepted") == UNITS
    assert outcomes.count("sold out") == BUYERS - UNITS
    offer.product.refresh_from_db()
    assert offer.product.units_taken == UNITS
    submitted = Subscription.objects.filter(status=Subscription.Status.SUBMITTED)
    assert submitted.count() == UNITS
    numbers = set(submitted.values_list("contract_number", flat=True))
    assert len(numbers) == UNITS  # unique contract numbers, no duplicate
