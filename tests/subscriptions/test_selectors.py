"""The reads every portal page or wizard step makes: narrowed, and without needless joins."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import subscription_contract_id_for, subscription_draft_for
from tests.factories import ProfileFactory

from .conftest import NOW, draft_until_payment

pytestmark = pytest.mark.django_db

Status = Subscription.Status


def _with_status(subscription: Subscription, status: str, *, days_ago: int) -> Subscription:
    """The request as if it had been sent `days_ago` and had reached `status` (rows only)."""
    if status != Status.DRAFT:
        Subscription.objects.filter(pk=subscription.pk).update(
            status=status,
            submitted_at=NOW - dt.timedelta(days=days_ago),
            contract_number=100_000_000 + subscription.pk,
        )
    return subscription


def _copy_of(subscription: Subscription) -> Subscription:
    """Another request of the same person (a second draft would need another vehicle)."""
    copy = Subscription.objects.get(pk=subscription.pk)
    copy.pk, copy.contract_number = None, None
    copy.status = Status.DRAFT
    copy.save()
    return copy


def test_the_draft_comes_in_one_query_with_what_the_steps_show(
    offer, person, organization, django_assert_num_queries
):
    draft = draft_until_payment(offer, person)
    with django_assert_num_queries(1):
        found = subscription_draft_for(person=person, organization=organization)
        assert found == draft
        assert (found.lot, found.category, found.product) == (
            offer.lot,
            offer.category,
            offer.product,
        )
        assert found.organization is organization
        assert found.person is person


def test_no_draft_of_another_person_or_institution(offer, person, organization, other_organization):
    draft_until_payment(offer, person)
    assert subscription_draft_for(person=ProfileFactory().user, organization=organization) is None
    assert subscription_draft_for(person=person, organization=other_organization) is None


def test_a_sent_request_is_no_longer_the_draft(offer, person, organization):
    _with_status(draft_until_payment(offer, person), Status.SUBMITTED, days_ago=0)
    assert subscription_draft_for(person=person, organization=organization) is None


def test_the_contract_is_the_latest_approved_or_active_request(offer, person, organization):
    older = _with_status(draft_until_payment(offer, person), Status.ACTIVE, days_ago=30)
    assert subscription_contract_id_for(person=person, organization=organization) == older.pk
    newer = _with_status(_copy_of(older), Status.APPROVED, days_ago=1)
    assert subscription_contract_id_for(person=person, organization=organization) == newer.pk


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.REFUSED])
def test_no_contract_before_approval_or_after_a_refusal(offer, person, organization, status):
    _with_status(draft_until_payment(offer, person), status, days_ago=0)
    assert subscription_contract_id_for(person=person, organization=organization) is None


def test_no_contract_of_another_person_or_institution(
    offer, person, organization, other_organization
):
    _with_status(draft_until_payment(offer, person), Status.ACTIVE, days_ago=0)
    stranger = ProfileFactory().user
    assert subscription_contract_id_for(person=stranger, organization=organization) is None
    assert subscription_contract_id_for(person=person, organization=other_organization) is None
