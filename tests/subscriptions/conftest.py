"""A CHUS-like offer: lot 1085, internship supervisors, an episodic permit that needs approval."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import User
from parcauto.core.clock import LOCAL_TZ
from parcauto.sales import services as lifecycle
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services import drafts
from parcauto.tenants.models import LegalText
from parcauto.vehicles.models import Vehicle
from tests.factories import (
    ProfileFactory,
)
from tests.offers import Offer, supervisor_offer

# A fixed "now": Monday 1 June 2026, 10:00 in Quebec.
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
TODAY = NOW.date()


@pytest.fixture
def offer(organization) -> Offer:
    offer = supervisor_offer(organization, proof_document=False)
    LegalText.objects.create(
        organization=organization,
        kind=LegalText.Kind.SUBSCRIPTION_CONDITIONS,
        version=3,
        body_fr="Conditions",
        published_at=NOW,
    )
    return offer


@pytest.fixture
def person() -> User:
    return ProfileFactory(user__email="john@example.com").user


def make_vehicle(owner: User, plate: str = "ABC123") -> Vehicle:
    return Vehicle.objects.create(
        owner=owner,
        plate=plate,
        plate_match_key=plate,
        jurisdiction="QC",
        make="Acura",
        model="NSX",
        year=2021,
        colour="Rouge",
    )


def draft_until_payment(
    offer: Offer, person: User, *, start: dt.date = TODAY, end: dt.date | None = None
) -> Subscription:
    """Steps 1 to 4 done, as the wizard does them."""
    draft = drafts.subscription_draft_choose(
        person=person,
        organization=offer.product.organization,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        start_date=start,
        end_date=end or start + dt.timedelta(days=60),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    vehicle = make_vehicle(person, plate=f"V{person.pk}X")
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[vehicle], now=NOW)
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="Université de Sherbrooke",
        internship_discipline="Soins",
        now=NOW,
    )
    # The category asks no proof here: tests that need one set requires_proof_document.
    return drafts.subscription_draft_review(subscription=draft, now=NOW)


def submit(draft: Subscription, method: str = "card", **overrides: object) -> Subscription:
    """ "Soumettre" as the payment step calls it, both consents given."""
    arguments = {
        "subscription": draft,
        "payment_method": method,
        "accepted_payment_conditions": True,
        "accepted_charge_after_approval": True,
        "now": NOW,
    } | overrides
    return lifecycle.subscription_submit(**arguments)  # type: ignore[arg-type]
