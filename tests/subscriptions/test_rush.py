"""Opening day: many people submit at the same instant; the quota never oversells."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import timezone
from django_scopes import scope

from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.payments.models import PaymentMethod
from parcauto.sales import services as lifecycle
from parcauto.subscriptions.errors import SoldOut
from parcauto.subscriptions.models import Consent, Subscription
from tests.factories import ProfileFactory
from tests.subscriptions.conftest import draft_until_payment, submit

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
            submit(Subscription.objects.get(pk=draft_id))  # this thread's own copy
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


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_instant_send_one_request_with_one_unit_and_one_card(offer):
    """No lock is read before the writes: the draft's conditional UPDATE decides, and the
    losing click's unit, number and payment method roll back."""
    offer.product.quantity = 5
    offer.product.save()
    draft_id = draft_until_payment(offer, ProfileFactory().user).pk
    start = threading.Barrier(2)
    sent: list[Subscription] = []
    lock = threading.Lock()

    def click() -> None:
        try:
            with scope(organization=offer.product.organization):
                draft = Subscription.objects.select_related("product").get(pk=draft_id)
                token = sandbox_card_tokenize(
                    number="4242424242424242", expiry="3012", now=timezone.now()
                )  # vaulted at commit, by the clock of now
                start.wait()
                request = submit(draft, payment=lifecycle.CardPayment(temporary_token=token.token))
            with lock:
                sent.append(request)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent) == 2  # both clicks answered, neither with an error
    assert {request.contract_number for request in sent} == {
        Subscription.objects.get(pk=draft_id).contract_number
    }
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 1
    assert list(PaymentMethod.objects.filter(subscription_id=draft_id).values_list("status")) == [
        (PaymentMethod.Status.ACTIVE,)
    ]
    payment_consents = Consent.objects.filter(
        subscription_id=draft_id,
        kind__in=[Consent.Kind.PAYMENT_CONDITIONS, Consent.Kind.CHARGED_AFTER_APPROVAL],
    )
    assert payment_consents.count() == 2
