"""Requests made the way people make them, for the back-office tests.

Through the wizard's services (draft, then submit), so they carry a contract number, a
unit of the quota, consents and audit events.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.accounts.models import User
from parcauto.core.clock import LOCAL_TZ
from parcauto.sales.services import subscription_submit
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services import drafts
from parcauto.tenants.models import LegalText, Organization
from parcauto.vehicles.models import Vehicle
from tests.factories import ProfileFactory
from tests.offers import Offer, supervisor_offer
from tests.pages import PDF
from tests.scoping import within_its_institution

QUEUE = "/gestion/demandes/"
# Monday 1 June 2026, 10:00 in Quebec: every page and service sees this "now".
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
TODAY = NOW.date()


# --- Building requests as people make them ----------------------------------------------


@within_its_institution
def offer_of(
    organization: Organization,
    *,
    lot_number: str = "1085",
    product_number: str = "5569",
    category_name: str = "Superviseur de stage",
    quantity: int | None = 10,
) -> Offer:
    """A CHUS-like offer: an episodic permit that needs approval, with a proof document."""
    offer = supervisor_offer(
        organization,
        lot_number=lot_number,
        product_number=product_number,
        category_name=category_name,
        name_fr="Permis G (général zone 1)",
        quantity=quantity,
    )
    for kind in (LegalText.Kind.SUBSCRIPTION_CONDITIONS, LegalText.Kind.PAYMENT_CONDITIONS):
        LegalText.objects.get_or_create(
            organization=organization,
            kind=kind,
            version=3,
            defaults={"body_fr": "Conditions", "published_at": NOW - dt.timedelta(days=90)},
        )
    return offer


_people = iter(range(1, 10_000))


@within_its_institution
def reviewed_draft(
    offer: Offer, *, person: User, start: dt.date = TODAY, at: dt.datetime
) -> Subscription:
    """A request written up to its payment step, with a vehicle and a proof document."""
    draft = drafts.subscription_draft_choose(
        person=person,
        organization=offer.organization,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        start_date=start,
        end_date=start + dt.timedelta(days=60),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=at,
    )
    vehicle = Vehicle.objects.filter(owner=person).first() or Vehicle.objects.create(
        owner=person,
        plate=f"ABC{person.pk:03d}",
        plate_match_key=f"ABC{person.pk:03d}",
        jurisdiction="QC",
        make="Acura",
        model="NSX",
        year=2021,
        colour="Rouge",
    )
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[vehicle], now=at)
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="Université de Sherbrooke",
        internship_discipline="Soins infirmiers",
        proof=SimpleUploadedFile("attestation stage.pdf", PDF, content_type="application/pdf"),
        now=at,
    )
    drafts.subscription_draft_review(subscription=draft, now=at)
    return draft


@within_its_institution
def submitted_request(
    offer: Offer,
    *,
    first_name: str = "Marie",
    start: dt.date = TODAY,
    at: dt.datetime = NOW - dt.timedelta(days=1),
    person: User | None = None,
) -> Subscription:
    """A request sent at `at` by `person` (else a new one), with one vehicle and a proof."""
    if person is None:
        n = next(_people)
        person = ProfileFactory(
            user__email=f"{first_name.lower()}{n}@example.com", first_name=first_name
        ).user
    return subscription_submit(
        subscription=reviewed_draft(offer, person=person, start=start, at=at),
        payment_method="card",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=at,
    )


@within_its_institution
def draft_chosen(offer: Offer, *, days: int) -> Subscription:
    """A new person's draft of `offer`, past its first step, from today for `days` days."""
    return drafts.subscription_draft_choose(
        person=ProfileFactory().user,
        organization=offer.organization,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        start_date=NOW.date(),
        end_date=NOW.date() + dt.timedelta(days=days),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
