from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.catalog.errors import EmailDomainNotAllowed
from parcauto.catalog.models import PermitProduct
from parcauto.subscriptions.errors import FieldErrors, ProductNotAvailable, TransitionNotAllowed
from parcauto.subscriptions.models import Attachment, Consent, Subscription
from parcauto.subscriptions.services import drafts
from tests.factories import ProductGrantFactory, ProfileFactory
from tests.pages import PDF
from tests.subscriptions.conftest import NOW, TODAY, draft_until_payment, make_vehicle

pytestmark = pytest.mark.django_db


def _choose(offer, person, **overrides):
    arguments = {
        "person": person,
        "organization": offer.product.organization,
        "lot": offer.lot,
        "category": offer.category,
        "product": offer.product,
        "start_date": TODAY,
        "end_date": TODAY + dt.timedelta(days=30),
        "accepted_conditions": True,
        "accepted_approval_notice": True,
        "now": NOW,
    } | overrides
    return drafts.subscription_draft_choose(**arguments)


def test_choosing_saves_a_draft_with_the_price_and_the_consents(offer, person):
    draft = _choose(offer, person)
    assert draft.status == Subscription.Status.DRAFT
    assert draft.step == Subscription.Step.VEHICLES
    assert draft.price == offer.product.price
    assert draft.contract_number is None
    consents = {c.kind: c for c in draft.consents.all()}
    assert set(consents) == {Consent.Kind.SUBSCRIPTION_CONDITIONS, Consent.Kind.APPROVAL_NOTICE}
    assert consents[Consent.Kind.SUBSCRIPTION_CONDITIONS].legal_text.version == 3
    assert consents[Consent.Kind.SUBSCRIPTION_CONDITIONS].accepted_at == NOW


def test_choosing_again_updates_the_same_draft(offer, person):
    first = _choose(offer, person)
    second = _choose(offer, person, start_date=TODAY + dt.timedelta(days=3))
    assert first.pk == second.pk
    assert Subscription.objects.count() == 1
    assert second.start_date == TODAY + dt.timedelta(days=3)


def test_unticked_consents_and_bad_dates_are_all_reported_and_nothing_is_saved(offer, person):
    with pytest.raises(FieldErrors) as refused:
        _choose(
            offer,
            person,
            accepted_conditions=False,
            accepted_approval_notice=False,
            end_date=TODAY - dt.timedelta(days=1),
        )
    assert set(refused.value.errors) == {
        "accepted_conditions",
        "accepted_approval_notice",
        "end_date",
    }
    assert str(refused.value.errors["end_date"]) == (
        "La date de fin ne peut pas être avant la date de début."
    )
    assert not Subscription.objects.exists()


def test_a_start_in_the_past_is_refused(offer, person):
    with pytest.raises(FieldErrors) as refused:
        _choose(offer, person, start_date=TODAY - dt.timedelta(days=1))
    assert list(refused.value.errors) == ["start_date"]


def test_an_episodic_permit_needs_an_end_date_and_a_monthly_one_has_none(offer, person):
    with pytest.raises(FieldErrors) as refused:
        _choose(offer, person, end_date=None)
    assert list(refused.value.errors) == ["end_date"]
    offer.product.kind = PermitProduct.Kind.MONTHLY
    offer.product.save()
    assert _choose(offer, person).end_date is None


def test_an_episodic_permit_ends_within_its_maximum_term(offer, person):
    # Before: an end date in year 9999 was accepted, and its collection calendar then
    # overflowed computing the periods up to it.
    assert offer.product.max_term_days == 365  # the default
    for end in (dt.date(9999, 12, 31), TODAY + dt.timedelta(days=365)):
        with pytest.raises(FieldErrors) as refused:
            _choose(offer, person, end_date=end)
        assert list(refused.value.errors) == ["end_date"]
        assert str(refused.value.errors["end_date"]) == (
            "Ce permis dure au plus 365 jours\u00a0: choisissez une date de fin au plus "
            "tard le 31 mai 2027."
        )
    assert not Subscription.objects.exists()
    draft = _choose(offer, person, end_date=TODAY + dt.timedelta(days=364))
    assert draft.end_date == dt.date(2027, 5, 31)


def test_a_product_may_shorten_the_maximum_term_to_a_single_day(offer, person):
    offer.product.max_term_days = 1
    offer.product.save()
    with pytest.raises(FieldErrors) as refused:
        _choose(offer, person, end_date=TODAY + dt.timedelta(days=1))
    assert str(refused.value.errors["end_date"]) == (
        "Ce permis dure au plus 1 jour\u00a0: choisissez une date de fin au plus tard "
        "le 1er juin 2026."
    )
    assert _choose(offer, person, end_date=TODAY).end_date == TODAY


def test_a_semester_permit_carries_its_own_dates(offer, person):
    offer.product.kind = PermitProduct.Kind.FIXED_TERM
    offer.product.billing_frequency = PermitProduct.Billing.PER_TERM
    offer.product.term_start = dt.date(2026, 5, 15)
    offer.product.term_end = dt.date(2026, 8, 31)
    offer.product.save()
    draft = _choose(offer, person, start_date=None, end_date=None)
    assert (draft.start_date, draft.end_date) == (TODAY, dt.date(2026, 8, 31))


def test_a_hidden_product_needs_a_grant_or_its_code(offer, person):
    offer.product.visibility = PermitProduct.Visibility.HIDDEN
    offer.product.access_code = "CADRES-HULL"
    offer.product.save()
    with pytest.raises(ProductNotAvailable):
        _choose(offer, person)
    assert _choose(offer, person, access_code="cadres-hull").product == offer.product
    other = ProfileFactory().user
    ProductGrantFactory(product=offer.product, user=other, organization=offer.product.organization)
    assert _choose(offer, other).product == offer.product


def test_a_product_not_on_sale_is_refused(offer, person):
    offer.product.sales_end = NOW - dt.timedelta(hours=1)
    offer.product.save()
    with pytest.raises(ProductNotAvailable):
        _choose(offer, person)
    assert not Subscription.objects.exists()


def test_the_categorys_email_domain_rule_is_enforced(offer, person):
    offer.category.email_domain = "cegepmontpetit.ca"
    offer.category.save()
    with pytest.raises(EmailDomainNotAllowed):
        _choose(offer, person)


def test_vehicles_must_be_the_persons_own_and_at_most_two(offer, person):
    draft = _choose(offer, person)
    mine = [make_vehicle(person, "AAA111"), make_vehicle(person, "BBB222")]
    stranger = make_vehicle(ProfileFactory().user, "CCC333")
    with pytest.raises(FieldErrors) as refused:
        drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[stranger], now=NOW)
    assert list(refused.value.errors) == ["vehicles"]
    with pytest.raises(FieldErrors):
        drafts.subscription_draft_set_vehicles(
            subscription=draft, vehicles=[*mine, make_vehicle(person, "DDD444")], now=NOW
        )
    with pytest.raises(FieldErrors):
        drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[], now=NOW)
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=mine, now=NOW)
    draft.refresh_from_db()
    assert draft.step == Subscription.Step.DETAILS
    assert set(draft.vehicles.all()) == set(mine)


def test_the_category_decides_which_details_are_required(offer, person):
    draft = _choose(offer, person)
    with pytest.raises(FieldErrors) as refused:
        drafts.subscription_draft_set_details(subscription=draft, employee_number="123", now=NOW)
    assert set(refused.value.errors) == {"school", "internship_discipline"}
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="UdeS",
        internship_discipline="Soins",
        employee_number="123",
        now=NOW,
    )
    draft.refresh_from_db()
    assert (draft.school, draft.internship_discipline) == ("UdeS", "Soins")
    assert draft.employee_number == ""  # not asked by this category, not kept
    assert draft.step == Subscription.Step.SUMMARY


@pytest.fixture
def needs_proof(offer):
    offer.category.requires_proof_document = True
    offer.category.save()
    return offer


def _details_with(draft, upload):
    return drafts.subscription_draft_set_details(
        subscription=draft, school="UdeS", internship_discipline="Soins", proof=upload, now=NOW
    )


def test_a_pdf_proof_is_stored_privately_under_a_random_name(needs_proof, person):
    draft = _choose(needs_proof, person)
    _details_with(draft, SimpleUploadedFile("confirmation.pdf", PDF))
    attachment = Attachment.objects.get(subscription=draft)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "confirmation.pdf"
    assert attachment.file.name.startswith(f"private/subscriptions/{draft.organization_id}/")
    assert "confirmation" not in attachment.file.name


def test_a_proof_over_2_mb_is_refused(needs_proof, person):
    draft = _choose(needs_proof, person)
    big = SimpleUploadedFile("stage.pdf", PDF + b"0" * (3 * 1024 * 1024))
    with pytest.raises(FieldErrors) as refused:
        _details_with(draft, big)
    assert (
        str(refused.value.errors["proof"]) == "Le fichier fait 3,0 Mo\u00a0: le maximum est 2,0 Mo."
    )
    assert not Attachment.objects.exists()
    draft.refresh_from_db()
    assert draft.step == Subscription.Step.VEHICLES


def test_an_executable_renamed_pdf_is_refused_by_its_bytes(needs_proof, person):
    draft = _choose(needs_proof, person)
    fake = SimpleUploadedFile("stage.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    with pytest.raises(FieldErrors) as refused:
        _details_with(draft, fake)
    assert str(refused.value.errors["proof"]) == (
        "Ce fichier n'est pas un document .jpg, .jpeg, .png ou .pdf."
    )
    assert not Attachment.objects.exists()


def test_a_missing_proof_is_required_but_a_kept_one_is_enough(needs_proof, person):
    draft = _choose(needs_proof, person)
    with pytest.raises(FieldErrors) as refused:
        _details_with(draft, None)
    assert list(refused.value.errors) == ["proof"]
    _details_with(draft, SimpleUploadedFile("a.pdf", PDF))
    _details_with(draft, None)  # coming back to the step keeps the file
    assert Attachment.objects.filter(subscription=draft).count() == 1


def test_a_sent_request_can_no_longer_be_edited_as_a_draft(offer, person):
    from parcauto.sales.services import subscription_submit

    draft = draft_until_payment(offer, person)
    subscription_submit(
        subscription=draft,
        payment_method="card",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=NOW,
    )
    with pytest.raises(TransitionNotAllowed):
        drafts.subscription_draft_set_details(subscription=draft, school="X", now=NOW)


def test_discarding_a_draft_removes_it_and_its_files(needs_proof, person):
    draft = _choose(needs_proof, person)
    _details_with(draft, SimpleUploadedFile("a.pdf", PDF))
    stored = Attachment.objects.get().file
    drafts.subscription_draft_discard(subscription=draft, actor=person)
    assert not Subscription.objects.exists()
    assert not stored.storage.exists(stored.name)


def test_a_monthly_permit_ignores_a_stray_end_date(offer, person):
    offer.product.kind = PermitProduct.Kind.MONTHLY
    offer.product.save()
    draft = _choose(offer, person, end_date=TODAY - dt.timedelta(days=5))
    assert draft.end_date is None
