"""MON ABONNEMENT, "Détails de l'abonnement", withdrawing a request, the proof file and
MON CONTRAT; the menu and the dashboard; and who may open each of them (nobody else)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parcauto.catalog.models import PermitProduct
from parcauto.sales import services as lifecycle
from parcauto.subscriptions import contract
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.services import drafts
from parcauto.vehicles.models import Vehicle
from tests.factories import (
    OrganizationFactory,
    ProfileFactory,
    UserFactory,
    VehicleFactory,
)
from tests.offers import supervisor_offer
from tests.pages import NBSP, PDF, page, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)  # 10:00 in Quebec


@pytest.fixture
def offer(organization):
    return supervisor_offer(
        organization,
        name_fr="Permis G (général zone 1) - Superviseur de stage-épisodique",
        price=Decimal("22.92"),
    )


@pytest.fixture
def john():
    return ProfileFactory(user=UserFactory(email="john@example.com"), first_name="John").user


@pytest.fixture
def signed_in(portal_client, john):
    portal_client.force_login(john)
    return portal_client


def submitted(offer, person, *, start=dt.date(2026, 6, 1), method="card") -> Subscription:
    """A request sent through the services, with a vehicle and a PDF proof."""
    lot, category, product = offer
    draft = drafts.subscription_draft_choose(
        person=person,
        organization=product.organization,
        lot=lot,
        category=category,
        product=product,
        start_date=start,
        end_date=None if product.kind == PermitProduct.Kind.MONTHLY else start + dt.timedelta(60),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    vehicle = Vehicle.objects.filter(owner=person).first() or VehicleFactory(
        owner=person, plate=f"ABC{person.pk:03d}", make="Acura", model="NSX"
    )
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[vehicle], now=NOW)
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="Université de Sherbrooke",
        internship_discipline="Soins",
        proof=SimpleUploadedFile("confirmation-stage.pdf", PDF),
        now=NOW,
    )
    drafts.subscription_draft_review(subscription=draft, now=NOW)
    return lifecycle.subscription_submit(
        subscription=draft,
        payment_method=method,
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=NOW,
    )


@pytest.fixture
def staff():
    return UserFactory(email="agent@parcauto.test")


@pytest.fixture
def fake_pdf(monkeypatch):
    """The contract PDF itself is tested with its module; here, who gets it and how."""
    calls = []

    def contract_pdf(subscription, language="fr", **kwargs):
        calls.append((subscription.pk, language))
        return b"%PDF-1.7 contrat " + language.encode()

    monkeypatch.setattr(contract, "contract_pdf", contract_pdf)
    return calls


# --- MON ABONNEMENT and "Détails de l'abonnement" ---------------------------------------------


def test_a_pending_request_shows_every_line_of_the_guides(signed_in, offer, john):
    request = submitted(offer, john)
    response = signed_in.get(f"/abonnements/{request.pk}/")
    assert response.status_code == 200
    words = text(response)
    for line in (
        "Détails de l'abonnement",
        "Votre abonnement est présentement en attente d'approbation. Vous recevrez un courriel "
        "lorsque votre demande sera traitée par notre centre de service.",
        "Annuler cette demande de service",
        "Statut de l'abonnement En attente d'approbation",
        f"Numéro de contrat {request.contract_number}",
        "Méthode de paiement Carte de crédit",
        f"Solde 0,00{NBSP}$",
        "Début de l'abonnement 1er juin 2026",
        "Fin de l'abonnement 31 juillet 2026",
        "Coordonnées du stationnement ou de l'organisme",
        "Stationnement ou organisme 1085 - CIUSSS de l'Estrie - CHUS",
        "Description 5569 - Permis G (général zone 1) - Superviseur de stage-épisodique",
        "Facturation Mensuel",
        f"Mensualité (tx. incl.) 22,92{NBSP}$ (par mois)",
        "Document d'accès",
        "Non applicable pour les sites avec reconnaissance par plaques d'immatriculation.",
        "Immatriculation Marque Modèle Année Couleur",
        f"ABC{john.pk:03d} Acura NSX 2020 Gris",
        "Méthode Carte de crédit",
        "confirmation-stage.pdf",
    ):
        assert line in words, line
    assert "Mon contrat (PDF)" not in words  # not approved yet


def test_mon_abonnement_opens_the_only_request_directly_and_lists_several(signed_in, offer, john):
    first = submitted(offer, john)
    response = signed_in.get("/abonnements/")
    assert response.status_code == 302
    assert response.url == f"/abonnements/{first.pk}/"
    lifecycle.subscription_cancel_pending(subscription=first, actor=john, now=NOW)
    second = submitted(offer, john)
    listing = signed_in.get("/abonnements/")
    assert listing.status_code == 200
    words = text(listing)
    assert f"Numéro de contrat {first.contract_number}" in words
    assert f"Numéro de contrat {second.contract_number}" in words
    assert "Annulé" in words


def test_with_nothing_yet_mon_abonnement_offers_to_start(signed_in, offer):
    words = text(signed_in.get("/abonnements/"))
    assert "Vous n'avez pas encore d'abonnement sur ce portail." in words
    assert "+ AJOUTER UN ABONNEMENT" in words


def test_an_approved_contract_starting_later_is_pending_until_its_start(
    signed_in, offer, john, staff, fake_pdf
):
    request = submitted(offer, john, start=dt.date(2026, 7, 1))
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    words = text(signed_in.get(f"/abonnements/{request.pk}/"))
    assert "Statut de l'abonnement En attente jusqu'au 1er juillet" in words
    assert "Votre abonnement a été approuvé. Il commencera le 1er juillet 2026." in words
    assert "Annuler cette demande de service" not in words
    assert "Mon contrat (PDF)" in words


def test_an_active_contract_says_actif(signed_in, offer, john, staff):
    request = submitted(offer, john)
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    words = text(signed_in.get(f"/abonnements/{request.pk}/"))
    assert "Statut de l'abonnement Actif" in words
    assert "Votre abonnement est actif." in words


def test_a_refused_request_shows_the_reason(signed_in, offer, john, staff):
    request = submitted(offer, john)
    lifecycle.subscription_refuse(
        subscription=request, actor=staff, reason="La preuve de stage est illisible.", now=NOW
    )
    words = text(signed_in.get(f"/abonnements/{request.pk}/"))
    assert "Statut de l'abonnement Refusé" in words
    assert "Votre demande d'abonnement a été refusée." in words
    assert f"Motif du refus{NBSP}: La preuve de stage est illisible." in words
    assert "Annuler cette demande de service" not in words


def test_a_product_without_approval_is_created_at_once(signed_in, offer, john):
    product = offer[2]
    product.approval_required = False
    product.save()
    response = signed_in.get(f"/abonnements/{submitted(offer, john).pk}/")
    assert "Statut de l'abonnement Actif" in text(response)


# --- "Annuler cette demande de service" --------------------------------------------------------


def test_withdrawing_a_pending_request_asks_first_then_cancels_it(signed_in, offer, john):
    request = submitted(offer, john)
    confirm = signed_in.get(f"/abonnements/{request.pk}/annuler/")
    assert confirm.status_code == 200
    assert "Oui, annuler cette demande" in text(confirm)
    request.refresh_from_db()
    assert request.status == Subscription.Status.SUBMITTED
    response = signed_in.post(f"/abonnements/{request.pk}/annuler/")
    assert response.url == f"/abonnements/{request.pk}/"
    request.refresh_from_db()
    assert request.status == Subscription.Status.CANCELLED
    words = text(signed_in.get(response.url))
    assert "Votre demande a été annulée. Aucun montant ne sera perçu." in words
    assert "Statut de l'abonnement Annulé" in words


def test_an_approved_contract_cannot_be_withdrawn_here(signed_in, offer, john, staff):
    request = submitted(offer, john)
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    response = signed_in.post(f"/abonnements/{request.pk}/annuler/")
    assert response.url == f"/abonnements/{request.pk}/"
    request.refresh_from_db()
    assert request.status == Subscription.Status.ACTIVE
    assert "Seule une demande en attente d'approbation peut être annulée." in text(
        signed_in.get(response.url)
    )


# --- the proof file and the contract --------------------------------------------------------


def test_the_owner_downloads_the_proof_never_rendered_inline(signed_in, offer, john):
    request = submitted(offer, john)
    proof = Attachment.objects.get(subscription=request)
    response = signed_in.get(f"/abonnements/{request.pk}/pieces/{proof.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    # Parcauto's name for it, never the uploaded one (issue 9, finding 6).
    assert response["Content-Disposition"] == (
        f'attachment; filename="preuve-{request.contract_number}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_contract_pdf_is_served_for_an_approved_contract_only(
    signed_in, offer, john, staff, fake_pdf
):
    request = submitted(offer, john)
    url = f"/abonnements/{request.pk}/contrat.pdf"
    assert signed_in.get(url).status_code == 404  # awaiting approval: no contract yet
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    response = signed_in.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 contrat fr"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert fake_pdf == [(request.pk, "fr")]
    assert signed_in.get(f"{url}?langue=en").status_code == 404  # French was chosen


def test_a_person_who_chose_english_also_gets_the_english_copy(
    signed_in, offer, john, staff, fake_pdf
):
    john.language = "en"
    john.save()
    request = submitted(offer, john)
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    response = signed_in.get(f"/abonnements/{request.pk}/contrat.pdf?langue=en")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 contrat en"
    assert "English copy (PDF)" in text(signed_in.get(f"/abonnements/{request.pk}/"))


def test_a_refused_or_cancelled_request_has_no_contract(signed_in, offer, john, staff, fake_pdf):
    request = submitted(offer, john)
    lifecycle.subscription_refuse(subscription=request, actor=staff, reason="Non", now=NOW)
    assert signed_in.get(f"/abonnements/{request.pk}/contrat.pdf").status_code == 404
    assert fake_pdf == []


# --- the menu and the dashboard ------------------------------------------------------------------


def test_the_menu_shows_mon_contrat_only_with_an_approved_contract(signed_in, offer, john, staff):
    words = text(signed_in.get("/tableau-de-bord/"))
    assert "+ AJOUTER UN ABONNEMENT" in words
    assert "MON ABONNEMENT" in words
    assert "PARAMÈTRES" in words
    assert "TABLEAU DE BORD" in words
    assert "MON CONTRAT" not in words
    request = submitted(offer, john)
    assert "MON CONTRAT" not in text(signed_in.get("/tableau-de-bord/"))
    lifecycle.subscription_approve(subscription=request, actor=staff, now=NOW)
    dashboard = page(signed_in.get("/tableau-de-bord/"))
    assert f'href="/abonnements/{request.pk}/contrat.pdf">MON CONTRAT' in dashboard


def test_the_dashboard_says_what_to_do_next(signed_in, offer, john):
    words = text(signed_in.get("/tableau-de-bord/"))
    assert "Commencer ma demande d'abonnement" in words
    request = submitted(offer, john)
    words = text(signed_in.get("/tableau-de-bord/"))
    assert f"Demande n°{NBSP}{request.contract_number}{NBSP}: 5569" in words
    assert f"Statut de l'abonnement{NBSP}: En attente d'approbation" in words
    assert "Voir mon abonnement" in words


# --- who may open what: nobody but the owner, on the portal of the contract -----------------------


def _urls(request: Subscription) -> list[str]:
    proof = Attachment.objects.get(subscription=request)
    return [
        f"/abonnements/{request.pk}/",
        f"/abonnements/{request.pk}/annuler/",
        f"/abonnements/{request.pk}/pieces/{proof.pk}/",
        f"/abonnements/{request.pk}/contrat.pdf",
    ]


@pytest.fixture
def approved_and_pending(offer, john, staff):
    """An active contract (with a PDF) and a pending request, both John's."""
    active = submitted(offer, john)
    lifecycle.subscription_approve(subscription=active, actor=staff, now=NOW)
    pending = submitted(offer, ProfileFactory().user)
    pending.person = john  # same owner, without a second draft in the way
    pending.save()
    return [active, pending]


def test_anonymous_visitors_are_sent_to_the_login_page(portal_client, approved_and_pending):
    for request in approved_and_pending:
        for url in _urls(request):
            response = portal_client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith("/accounts/login/"), url


def test_another_customer_gets_404_everywhere_and_changes_nothing(approved_and_pending, fake_pdf):
    jean = ProfileFactory(user=UserFactory(email="jean@example.com")).user
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(jean)
    for request in approved_and_pending:
        for url in _urls(request):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/abonnements/{request.pk}/annuler/").status_code == 404
    statuses = [s.status for s in Subscription.objects.order_by("pk")]
    assert statuses == [Subscription.Status.ACTIVE, Subscription.Status.SUBMITTED]
    assert fake_pdf == []


def test_the_owner_on_another_institutions_portal_gets_404(approved_and_pending, john, fake_pdf):
    OrganizationFactory(slug="cisso", hostname="cisso.testserver")
    client = Client(HTTP_HOST="cisso.testserver")
    client.force_login(john)
    for request in approved_and_pending:
        for url in _urls(request):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/abonnements/{request.pk}/annuler/").status_code == 404
    assert Subscription.objects.filter(status=Subscription.Status.CANCELLED).count() == 0
    assert "MON CONTRAT" not in text(client.get("/abonnements/"))


def test_the_operators_host_has_no_subscription_pages(approved_and_pending, john):
    client = Client(HTTP_HOST="testserver")
    client.force_login(john)
    for request in approved_and_pending:
        for url in _urls(request):
            assert client.get(url).status_code == 404, url


def test_a_draft_proof_is_served_to_its_owner_only(signed_in, offer, john):
    lot, category, product = offer
    draft = drafts.subscription_draft_choose(
        person=john,
        organization=product.organization,
        lot=lot,
        category=category,
        product=product,
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 7, 1),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    vehicle = VehicleFactory(owner=john)
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[vehicle], now=NOW)
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="UdeS",
        internship_discipline="Soins",
        proof=SimpleUploadedFile("stage.pdf", PDF),
        now=NOW,
    )
    proof = Attachment.objects.get(subscription=draft)
    url = f"/abonnements/{draft.pk}/pieces/{proof.pk}/"
    assert signed_in.get(url).status_code == 200
    assert signed_in.get(f"/abonnements/{draft.pk}/").status_code == 404  # a draft has no page
    other = Client(HTTP_HOST="chus.testserver")
    other.force_login(ProfileFactory().user)
    assert other.get(url).status_code == 404
