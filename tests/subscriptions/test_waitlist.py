from __future__ import annotations

import datetime as dt

import pytest

from parcauto.sales import services as lifecycle
from parcauto.subscriptions.errors import SoldOut, WaitingListClosed
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from parcauto.subscriptions.services.units import waitlist_expire_offers
from parcauto.subscriptions.services.waitlist import (
    waitlist_join,
    waitlist_position,
    waitlist_withdraw,
)
from tests.factories import ProfileFactory, UserFactory
from tests.subscriptions.conftest import NOW, draft_until_payment

pytestmark = pytest.mark.django_db


def _submit(draft, now=NOW):
    return lifecycle.subscription_submit(
        subscription=draft,
        payment_method="card",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=now,
    )


@pytest.fixture
def sold_out(offer, person):
    """One unit, taken by `person`'s pending request."""
    offer.product.quantity = 1
    offer.product.save()
    holder = _submit(draft_until_payment(offer, person))
    offer.product.refresh_from_db()
    return holder


def _join(offer, someone, now=NOW):
    return waitlist_join(
        person=someone, product=offer.product, lot=offer.lot, category=offer.category, now=now
    )


def test_the_waiting_list_opens_only_when_sold_out(offer):
    with pytest.raises(WaitingListClosed):
        _join(offer, ProfileFactory().user)


def test_people_wait_in_arrival_order_and_joining_twice_keeps_the_place(offer, sold_out):
    first, second = ProfileFactory().user, ProfileFactory().user
    entry_first = _join(offer, first)
    entry_second = _join(offer, second, now=NOW + dt.timedelta(minutes=1))
    assert _join(offer, first).pk == entry_first.pk
    assert (waitlist_position(entry=entry_first), waitlist_position(entry=entry_second)) == (1, 2)


def test_a_freed_unit_is_offered_to_the_first_in_line_and_reserved_for_them(offer, sold_out):
    first, second = ProfileFactory().user, ProfileFactory().user
    _join(offer, first)
    _join(offer, second)
    lifecycle.subscription_refuse(
        subscription=sold_out, actor=UserFactory(), reason="Complet", now=NOW
    )
    entry = WaitingListEntry.objects.get(person=first)
    assert entry.status == WaitingListEntry.Status.OFFERED
    assert entry.offer_expires_at == NOW + dt.timedelta(days=3)
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 1  # reserved for the offer, not back on sale

    with pytest.raises(SoldOut):  # the second person cannot take the reserved unit
        _submit(draft_until_payment(offer, second))
    request = _submit(draft_until_payment(offer, first))
    assert request.status == Subscription.Status.SUBMITTED
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.CONVERTED
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 1


def test_an_unanswered_offer_passes_to_the_next_person(offer, sold_out):
    first, second = ProfileFactory().user, ProfileFactory().user
    _join(offer, first)
    _join(offer, second)
    lifecycle.subscription_cancel_pending(subscription=sold_out, actor=sold_out.person, now=NOW)
    assert waitlist_expire_offers(now=NOW + dt.timedelta(days=2)) == 0
    assert waitlist_expire_offers(now=NOW + dt.timedelta(days=3, minutes=1)) == 1
    statuses = dict(WaitingListEntry.objects.values_list("person_id", "status"))
    assert statuses == {
        first.pk: WaitingListEntry.Status.EXPIRED,
        second.pk: WaitingListEntry.Status.OFFERED,
    }


def test_the_last_expired_offer_puts_the_unit_back_on_sale(offer, sold_out):
    only = ProfileFactory().user
    _join(offer, only)
    lifecycle.subscription_cancel_pending(subscription=sold_out, actor=sold_out.person, now=NOW)
    waitlist_expire_offers(now=NOW + dt.timedelta(days=4))
    offer.product.refresh_from_db()
    assert offer.product.units_taken == 0


def test_withdrawing_an_offer_passes_the_unit_on(offer, sold_out):
    first, second = ProfileFactory().user, ProfileFactory().user
    entry = _join(offer, first)
    _join(offer, second)
    lifecycle.subscription_cancel_pending(subscription=sold_out, actor=sold_out.person, now=NOW)
    waitlist_withdraw(entry=entry, actor=first, now=NOW)
    assert WaitingListEntry.objects.get(person=second).status == WaitingListEntry.Status.OFFERED
