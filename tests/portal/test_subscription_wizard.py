"""+ AJOUTER UN ABONNEMENT: the five steps of the guides, with the test client.

A CHUS-like internship supervisor (episodic permit with dates, school, discipline, PDF
proof, card) and a CISSSO-like employee (monthly permit, employee number, payroll
deduction); every refusal of the issue says why in French and loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parcauto.audit.models import AuditEvent
from parcauto.catalog.models import PermitProduct
from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.subscriptions.models import Attachment, Consent, Subscription, WaitingListEntry
from parcauto.tenants.models import LegalText
from parcauto.vehicles.models import Vehicle
from tests.factories import (
    OrganizationFactory,
    ParkingLotFactory,
    PermitProductFactory,
    ProductGrantFactory,
    ProfileFactory,
    UserCategoryFactory,
    UserFactory,
    VehicleFactory,
)
from tests.pages import NBSP, PDF, page, text
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 June 2026, 10:00 in Quebec.
NOW = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)

NEW = "/abonnements/nouveau/"
VEHICLES = "/abonnements/nouveau/vehicules/"
ADD_VEHICLE = "/abonnements/nouveau/vehicules/ajouter/"
DETAILS = "/abonnements/nouveau/informations/"
SUMMARY = "/abonnements/nouveau/recapitulatif/"
PAYMENT = "/abonnements/nouveau/paiement/"
DISCARD = "/abonnements/nouveau/annuler/"
WAITLIST = "/abonnements/liste-attente/"


# --- a CHUS-like portal: lot 1085, internship supervisors, episodic permit 5569 -------------


@pytest.fixture
def chus(organization):
    lot = ParkingLotFactory(organization=organization, number="1085")
    category = UserCategoryFactory(
        organization=organization,
        name_fr="Superviseur de stage",
        name_en="Internship supervisor",
        requires_school=True,
        requires_internship_discipline=True,
        requires_proof_document=True,
        accepts_card=True,
        accepts_pad=True,
    )
    product = PermitProductFactory(
        organization=organization,
        number="5569",
        name_fr="Permis G (général zone 1) - Superviseur de stage-épisodique",
        description_fr="Pour la durée de votre stage, aux dates que vous choisissez.",
        kind=PermitProduct.Kind.EPISODIC,
        billing_frequency=PermitProduct.Billing.MONTHLY,
        price=Decimal("23.08"),
        approval_required=True,
        accepts_payroll=True,  # the category refuses it: never offered
        lots=[lot],
        categories=[category],
    )
    for kind, body in (
        (LegalText.Kind.SUBSCRIPTION_CONDITIONS, "Conditions d'abonnement du CHUS."),
        (LegalText.Kind.PAYMENT_CONDITIONS, "Conditions de paiement du CHUS."),
    ):
        LegalText.objects.create(
            organization=organization, kind=kind, version=3, body_fr=body, published_at=NOW
        )
    return {"lot": lot, "category": category, "product": product}


@pytest.fixture
def john(portal_client):
    profile = ProfileFactory(
        user=UserFactory(email="john@example.com"),
        gender="man",
        first_name="John",
        last_name="Tremblay",
        address_line1="1345 rue Principale",
        city="Québec",
        postal_code="G1G 1G1",
    )
    portal_client.force_login(profile.user)
    return profile.user


def choose_data(chus, **changes):
    return {
        "lot": chus["lot"].pk,
        "category": chus["category"].pk,
        "access_code": "",
        "product": chus["product"].pk,
        "start_date": "2026-06-15",
        "end_date": "2026-08-14",
        "accepted_conditions": "on",
        "accepted_approval_notice": "on",
    } | changes


VEHICLE = {
    "vehicle-year": "2021",
    "vehicle-make": "Acura",
    "vehicle-model": "NSX",
    "vehicle-colour": "Rouge",
    "vehicle-plate": "abc 123",
    "vehicle-jurisdiction": "QC",
}


def draft_of(person) -> Subscription | None:
    return Subscription.objects.filter(person=person, status=Subscription.Status.DRAFT).first()


def card_payment(draft: Subscription) -> dict[str, object]:
    """Step 5 filled in: card (the sandbox iframe's token), both consents ticked."""
    card = sandbox_card_tokenize(number="4242424242424242", expiry="3012")
    return {
        "request": draft.pk,
        "payment_method": "card",
        "card_token": card.token,
        "accepted_payment_conditions": "on",
        "accepted_charge_after_approval": "on",
    }


def pay_by_card(client: Client, draft: Subscription):
    return client.post(PAYMENT, card_payment(draft))


def to_payment(client: Client, chus, person) -> Subscription:
    """Steps 1 to 4 through the pages, as the supervisor does them."""
    assert client.post(NEW, choose_data(chus)).status_code == 302
    vehicle = VehicleFactory(owner=person, plate="ABC123")
    assert client.post(VEHICLES, {"vehicles": [vehicle.pk]}).status_code == 302
    details = {
        "school": "Université de Sherbrooke",
        "internship_discipline": "Sciences infirmières",
        "proof": SimpleUploadedFile("confirmation.pdf", PDF, content_type="application/pdf"),
    }
    assert client.post(DETAILS, details).status_code == 302
    assert client.post(SUMMARY).status_code == 302
    draft = draft_of(person)
    assert draft is not None
    return draft


# --- the supervisor's journey -----------------------------------------------------------------


def test_step_1_lists_the_lot_the_category_and_the_permits_with_their_price(
    portal_client, chus, john
):
    response = portal_client.get(NEW)
    assert response.status_code == 200
    words = text(response)
    assert "Étape 1 de 5" in words
    assert "Choisissez et paramétrez votre abonnement" in words
    assert "1. Sélectionnez un stationnement ou une organisation" in words
    assert "2. Sélectionnez votre catégorie d'utilisateur" in words
    assert "1085 - CIUSSS de l'Estrie - CHUS - 375 rue Argyll, J1J 3H5, Sherbrooke, QC" in words
    assert "Vous avez un code d'accès?" in words
    assert "Je souhaite m'abonner à partir du" in words
    assert "Conditions d'abonnement du CHUS." in words  # the text itself, before the box
    assert "Version 3 du 1er juin 2026" in words
    assert "Sélectionner ce service" in words
    # One lot and one category on this portal: already chosen, the permits already listed.
    assert "5569 - Permis G (général zone 1) - Superviseur de stage-épisodique" in words
    consents = re.findall(r'<input type="checkbox" name="accepted_[a-z_]+"[^>]*>', page(response))
    assert len(consents) == 2
    assert all("checked" not in box for box in consents)  # never ticked for the person

    offer = portal_client.get(
        "/abonnements/nouveau/offre/",
        {"lot": chus["lot"].pk, "category": chus["category"].pk},
        headers={"HX-Request": "true"},
    )
    words = text(offer)
    assert "3. Sélectionnez l'abonnement souhaité" in words
    assert "5569 - Permis G (général zone 1) - Superviseur de stage-épisodique" in words
    assert f"23,08{NBSP}$" in page(offer)
    assert "Facturation : Mensuel".replace(" :", f"{NBSP}:") in page(offer)
    assert "Pour la durée de votre stage" in words  # the description, in a <details>
    assert "<details>" in page(offer)
    assert 'data-kind="episodic"' in page(offer)


def test_the_approval_consent_names_the_operator(portal_client, chus, john, settings):
    settings.PARCAUTO_OPERATOR_NAME = "SPAQ"
    words = text(portal_client.get(NEW))
    assert "Je comprends que l'accès au stationnement nécessite l'approbation de la SPAQ" in words


def test_without_javascript_the_list_is_updated_by_a_button_and_nothing_typed_is_lost(
    portal_client, chus, john
):
    data = choose_data(chus, product="", refresh="1", start_date="2026-07-01")
    response = portal_client.post(NEW, data)
    assert response.status_code == 200
    body = page(response)
    assert "5569 - Permis G" in body
    assert 'value="2026-07-01"' in body
    assert "Champ requis" not in body  # refreshing is not submitting
    assert draft_of(john) is None


def test_a_supervisor_goes_through_the_five_steps_and_sends_the_request(portal_client, chus, john):
    # Step 1: the permit, its dates and the two consents.
    response = portal_client.post(NEW, choose_data(chus))
    assert response.status_code == 302
    assert response.url == VEHICLES
    draft = draft_of(john)
    assert (draft.start_date, draft.end_date) == (dt.date(2026, 6, 15), dt.date(2026, 8, 14))
    assert draft.step == Subscription.Step.VEHICLES
    assert set(draft.consents.values_list("kind", flat=True)) == {
        Consent.Kind.SUBSCRIPTION_CONDITIONS,
        Consent.Kind.APPROVAL_NOTICE,
    }
    assert draft.consents.get(kind=Consent.Kind.SUBSCRIPTION_CONDITIONS).legal_text.version == 3

    # Step 2: no vehicle yet; one added inline, then ticked.
    words = text(portal_client.get(VEHICLES))
    assert "Étape 2 de 5" in words
    assert (
        "Ajoutez le(s) véhicules que vous utiliserez lors de vos stationnements"
        f"{NBSP}: (Maximum 2 véhicules)" in words
    )
    assert "Aucun véhicule n'est enregistré au compte." in words
    response = portal_client.post(ADD_VEHICLE, VEHICLE)
    vehicle = Vehicle.objects.get(owner=john)
    assert vehicle.plate == "ABC123"
    assert response.status_code == 302
    assert response.url == f"{VEHICLES}?vehicule={vehicle.pk}"
    step_2 = portal_client.get(response.url)
    assert "Votre véhicule a été ajouté." in text(step_2)
    assert re.search(rf'value="{vehicle.pk}"[^>]* checked', page(step_2))
    response = portal_client.post(VEHICLES, {"vehicles": [vehicle.pk]})
    assert response.url == DETAILS
    assert list(draft.vehicles.all()) == [vehicle]

    # Step 3: personal information read-only, then school, discipline and the proof.
    step_3 = portal_client.get(DETAILS)
    words = text(step_3)
    assert "Étape 3 de 5" in words
    assert "Complétez les informations nécessaires à l'abonnement" in words
    assert "1345 rue Principale" in words
    assert "Modifier mes informations personnelles" in words
    assert "Établissement d'enseignement" in words
    assert "Discipline du stage" in words
    assert "Joindre la confirmation de stage" in words
    assert (
        "Joindre un fichier au format .jpg, .jpeg, .png ou .pdf (Taille maximale de 2 Mo)" in words
    )
    assert 'accept=".jpg,.jpeg,.png,.pdf"' in page(step_3)
    assert 'enctype="multipart/form-data"' in page(step_3)
    assert "Numéro d'employé" not in words  # not asked of supervisors
    response = portal_client.post(
        DETAILS,
        {
            "school": "Université de Sherbrooke",
            "internship_discipline": "Sciences infirmières",
            "proof": SimpleUploadedFile("confirmation.pdf", PDF),
        },
    )
    assert response.url == SUMMARY
    proof = Attachment.objects.get(subscription=draft)
    assert proof.original_name == "confirmation.pdf"

    # Step 4: every line of the guides.
    words = text(portal_client.get(SUMMARY))
    for line in (
        "Étape 4 de 5",
        "Récapitulatif de votre abonnement",
        "Coordonnées du stationnement ou de l'organisme",
        "Stationnement ou organisme 1085 - CIUSSS de l'Estrie - CHUS",
        "Détails du service",
        "Description 5569 - Permis G (général zone 1) - Superviseur de stage-épisodique",
        "Facturation Mensuel",
        f"Mensualité (tx. incl.) 23,08{NBSP}$ (par mois)",
        "Début de l'abonnement 15 juin 2026",
        "Fin de l'abonnement 14 août 2026",
        "Document d'accès",
        "Non applicable pour les sites avec reconnaissance par plaques d'immatriculation.",
        "Immatriculation Marque Modèle Année Couleur",
        "ABC123 Acura NSX 2021 Rouge",
        "Établissement d'enseignement Université de Sherbrooke",
        "Discipline du stage Sciences infirmières",
        "confirmation.pdf",
        "Informations personnelles",
        "Prénom John",
        "Nom Tremblay",
        "Précédent",
        "Continuer",
    ):
        assert line in words, line
    response = portal_client.post(SUMMARY)
    assert response.url == PAYMENT

    # Step 5: the permit's methods only, the consents, "Soumettre".
    step_5 = portal_client.get(PAYMENT)
    words = text(step_5)
    assert "Étape 5 de 5" in words
    assert "VOTRE ABONNEMENT" in words.upper()
    assert "1. Sélectionnez votre méthode de paiement" in words
    assert "Carte de crédit" in words
    assert "Prélèvement préautorisé" in words
    assert "Déduction à la source" not in words  # the product accepts it, the category does not
    assert "Conditions de paiement du CHUS." in words
    assert "J'accepte les conditions de paiement" in words
    assert "Je comprends que je ne serai débité qu'une fois l'abonnement approuvé" in words
    assert "2. Rajoutez vos informations bancaires" in words
    response = pay_by_card(portal_client, draft)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.SUBMITTED
    assert draft.payment_method == "card"
    assert draft.contract_number is not None
    assert response.status_code == 302
    assert response.url == f"/abonnements/{draft.pk}/"

    detail = portal_client.get(response.url)
    words = text(detail)
    assert "Votre demande d'abonnement a été transmise." in words
    assert (
        "Un courriel accusant réception de votre demande est en route vers john@example.com."
        in words
    )
    assert "Détails de l'abonnement" in words
    assert "Statut de l'abonnement En attente d'approbation" in words
    assert f"Numéro de contrat {draft.contract_number}" in words


def test_a_double_click_on_submit_sends_one_request_and_shows_it(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    data = card_payment(draft)
    first = portal_client.post(PAYMENT, data)
    second = portal_client.post(PAYMENT, data)
    assert first.url == second.url == f"/abonnements/{draft.pk}/"
    assert Subscription.objects.filter(person=john).count() == 1
    assert AuditEvent.objects.filter(action="subscription.submitted").count() == 1
    chus["product"].refresh_from_db()
    assert chus["product"].units_taken == 1  # one unit, not two


# --- a CISSSO-like portal: an employee paying by payroll deduction ----------------------------


@pytest.fixture
def cisso() -> Iterator[dict[str, Any]]:
    organization = OrganizationFactory(
        slug="cisso-test", name_fr="CISSS de l'Outaouais", hostname="cisso.testserver"
    )
    lot = ParkingLotFactory(
        organization=organization,
        number="1461",
        name="Hôpital de Hull",
        address_line="116 boul. Lionel-Émond",
        city="Gatineau",
        postal_code="J8Y 1W7",
    )
    category = UserCategoryFactory(
        organization=organization,
        name_fr="Employé du CISSSO",
        requires_employee_number=True,
        employee_number_help_fr="Si vous êtes résident, inscrivez «\u00a0résident\u00a0».",
        accepts_payroll=True,
    )
    product = PermitProductFactory(
        organization=organization,
        number="7117",
        name_fr="1461 - Hôpital de Hull - Employé CISSSO",
        kind=PermitProduct.Kind.MONTHLY,
        price=Decimal("64.39"),
        accepts_payroll=True,
        lots=[lot],
        categories=[category],
    )
    with within(organization):  # the institution of the tests that use it
        yield {"organization": organization, "lot": lot, "category": category, "product": product}


def test_an_employee_pays_by_payroll_deduction_with_an_employee_number(cisso):
    client = Client(HTTP_HOST="cisso.testserver")
    marc = ProfileFactory(user=UserFactory(email="marc@example.com"), first_name="Marc").user
    client.force_login(marc)
    response = client.post(
        NEW,
        {
            "lot": cisso["lot"].pk,
            "category": cisso["category"].pk,
            "product": cisso["product"].pk,
            "start_date": "2026-09-01",
            "accepted_conditions": "on",
            "accepted_approval_notice": "on",
        },
    )
    assert response.url == VEHICLES
    draft = draft_of(marc)
    assert draft.end_date is None  # monthly: "Indéterminée"
    vehicle = VehicleFactory(owner=marc)
    step_2 = client.get(VEHICLES)
    assert re.search(rf'value="{vehicle.pk}"[^>]* checked', page(step_2))  # the only one
    client.post(VEHICLES, {"vehicles": [vehicle.pk]})

    step_3 = text(client.get(DETAILS))
    assert "Numéro d'employé" in step_3
    assert f"Si vous êtes résident, inscrivez «{NBSP}résident{NBSP}»." in step_3
    assert "Établissement d'enseignement" not in step_3
    assert "Joindre la confirmation de stage" not in step_3
    refused = client.post(DETAILS, {"employee_number": "  "})
    assert refused.context["form"].errors["employee_number"] == ["Champ requis"]
    assert client.post(DETAILS, {"employee_number": "E-40213"}).url == SUMMARY

    summary = text(client.get(SUMMARY))
    assert f"Mensualité (tx. incl.) 64,39{NBSP}$ (par mois)" in summary
    assert "Fin de l'abonnement Indéterminée" in summary
    assert "Numéro d'employé E-40213" in summary
    client.post(SUMMARY)

    step_5 = text(client.get(PAYMENT))
    assert "Déduction à la source" in step_5
    assert (
        "J'autorise CISSS de l'Outaouais à retenir sur ma paie le montant de cet abonnement "
        f"de stationnement (64,39{NBSP}$, taxes incluses, par mois)" in step_5
    )
    assert "Les utilisateurs en déduction à la source n'ont pas à procéder à cette étape" in step_5
    response = client.post(
        PAYMENT,
        {"request": draft.pk, "payment_method": "payroll", "accepted_payment_conditions": "on"},
    )
    assert response.url == f"/abonnements/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.SUBMITTED
    assert draft.payment_method == "payroll"
    assert draft.employee_number == "E-40213"
    assert draft.consents.filter(kind=Consent.Kind.PAYROLL_AUTHORIZATION).exists()
    assert not draft.consents.filter(kind=Consent.Kind.CHARGED_AFTER_APPROVAL).exists()
    detail = text(client.get(response.url))
    assert "Méthode de paiement Déduction à la source" in detail
    assert "Fin de l'abonnement Indéterminée" in detail


# --- resuming, and steps that cannot be skipped ----------------------------------------------


def test_a_person_with_a_draft_resumes_at_the_step_reached(portal_client, chus, john):
    portal_client.post(NEW, choose_data(chus))
    vehicle = VehicleFactory(owner=john)
    portal_client.post(VEHICLES, {"vehicles": [vehicle.pk]})
    response = portal_client.get(NEW)
    assert response.status_code == 302
    assert response.url == DETAILS
    dashboard = text(portal_client.get("/tableau-de-bord/"))
    assert "est en cours (étape 3 de 5)" in dashboard
    assert "Reprendre ma demande" in dashboard
    # Step 1 stays reachable to change the choice, filled with what was chosen.
    step_1 = page(portal_client.get(f"{NEW}?modifier=1"))
    assert 'value="2026-06-15"' in step_1
    assert re.search(rf'value="{chus["product"].pk}"[^>]* checked', step_1)


@pytest.mark.parametrize("url", [VEHICLES, DETAILS, SUMMARY, PAYMENT])
def test_without_a_draft_every_step_goes_back_to_step_1(portal_client, chus, john, url):
    response = portal_client.get(url)
    assert response.status_code == 302
    assert response.url == NEW


@pytest.mark.parametrize("url", [DETAILS, SUMMARY, PAYMENT])
def test_a_step_cannot_be_skipped(portal_client, chus, john, url):
    portal_client.post(NEW, choose_data(chus))
    response = portal_client.get(url)
    assert response.status_code == 302
    assert response.url == VEHICLES
    assert portal_client.post(url, {}).url == VEHICLES
    assert draft_of(john).step == Subscription.Step.VEHICLES


def test_previous_from_the_summary_keeps_everything(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    step_3 = page(portal_client.get(DETAILS))
    assert 'value="Université de Sherbrooke"' in step_3
    assert 'value="Sciences infirmières"' in step_3
    assert "confirmation.pdf" in step_3  # the proof already attached, kept
    assert (
        portal_client.post(
            DETAILS, {"school": "Université de Sherbrooke", "internship_discipline": "Soins"}
        ).url
        == SUMMARY
    )
    assert Attachment.objects.filter(subscription=draft).count() == 1


def test_cancelling_the_request_asks_first_then_discards_the_draft(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    confirm = portal_client.get(DISCARD)
    assert "Oui, annuler la demande" in text(confirm)
    assert draft_of(john) is not None
    response = portal_client.post(DISCARD)
    assert response.url == "/tableau-de-bord/"
    assert not Subscription.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.exists()
    assert Vehicle.objects.filter(owner=john).count() == 1  # vehicles stay on the account


# --- refusals: a clear French message, nothing lost --------------------------------------------


def test_a_third_vehicle_is_refused_with_the_limit(portal_client, chus, john):
    portal_client.post(NEW, choose_data(chus))
    first, second = VehicleFactory(owner=john), VehicleFactory(owner=john)
    words = text(portal_client.get(VEHICLES))
    assert "Maximum 2 véhicules" in words
    response = portal_client.post(ADD_VEHICLE, {**VEHICLE, "vehicles": [first.pk]})
    assert response.status_code == 200
    assert f"Maximum 2 véhicules{NBSP}: supprimez-en un avant d'en ajouter un autre." in text(
        response
    )
    assert 'value="NSX"' in page(response)  # what was typed is still there
    assert re.search(rf'value="{first.pk}"[^>]* checked', page(response))
    assert not re.search(rf'value="{second.pk}"[^>]* checked', page(response))
    assert Vehicle.objects.filter(owner=john).count() == 2


def test_continuing_without_a_vehicle_is_refused(portal_client, chus, john):
    portal_client.post(NEW, choose_data(chus))
    response = portal_client.post(VEHICLES, {})
    assert response.context["form"].errors["vehicles"] == ["Ajoutez au moins un véhicule."]
    assert draft_of(john).step == Subscription.Step.VEHICLES


def _at_details(client, chus, person):
    client.post(NEW, choose_data(chus))
    client.post(VEHICLES, {"vehicles": [VehicleFactory(owner=person).pk]})


def test_a_3_mb_proof_is_refused_and_the_typed_fields_stay(portal_client, chus, john):
    _at_details(portal_client, chus, john)
    big = SimpleUploadedFile("stage.pdf", PDF + b"0" * (3 * 1024 * 1024))
    response = portal_client.post(
        DETAILS, {"school": "UdeS", "internship_discipline": "Soins", "proof": big}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["proof"] == [
        f"Le fichier fait 3,0 Mo{NBSP}: le maximum est 2,0 Mo."
    ]
    assert 'value="UdeS"' in page(response)
    assert 'value="Soins"' in page(response)
    assert not Attachment.objects.exists()
    draft = draft_of(john)
    assert (draft.step, draft.school) == (Subscription.Step.DETAILS, "")


def test_an_executable_renamed_pdf_is_refused(portal_client, chus, john):
    _at_details(portal_client, chus, john)
    fake = SimpleUploadedFile("stage.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    response = portal_client.post(
        DETAILS, {"school": "UdeS", "internship_discipline": "Soins", "proof": fake}
    )
    assert response.context["form"].errors["proof"] == [
        "Ce fichier n'est pas un document .jpg, .jpeg, .png ou .pdf."
    ]
    assert not Attachment.objects.exists()
    assert draft_of(john).step == Subscription.Step.DETAILS


def test_a_missing_proof_is_required(portal_client, chus, john):
    _at_details(portal_client, chus, john)
    response = portal_client.post(DETAILS, {"school": "UdeS", "internship_discipline": "Soins"})
    assert response.context["form"].errors["proof"] == ["Champ requis"]


def test_an_end_date_before_the_start_is_refused_and_the_dates_stay(portal_client, chus, john):
    response = portal_client.post(
        NEW, choose_data(chus, start_date="2026-07-10", end_date="2026-07-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == [
        "La date de fin ne peut pas être avant la date de début."
    ]
    assert 'value="2026-07-10"' in page(response)
    assert 'value="2026-07-01"' in page(response)
    assert draft_of(john) is None


def test_unticked_consents_are_refused_at_their_box(portal_client, chus, john):
    data = choose_data(chus)
    del data["accepted_conditions"], data["accepted_approval_notice"]
    errors = portal_client.post(NEW, data).context["form"].errors
    assert errors["accepted_conditions"] == ["Acceptez les conditions d'abonnement pour continuer."]
    assert errors["accepted_approval_notice"] == [
        "Cochez cette case pour confirmer que vous avez compris."
    ]
    assert draft_of(john) is None


@pytest.fixture
def hidden(chus, organization):
    return PermitProductFactory(
        organization=organization,
        number="7116",
        name_fr="Cadres - Espace réservé",
        visibility=PermitProduct.Visibility.HIDDEN,
        access_code="CADRES-HULL",
        lots=[chus["lot"]],
        categories=[chus["category"]],
    )


def test_a_hidden_product_without_grant_or_code_is_refused(portal_client, chus, john, hidden):
    listing = page(portal_client.post(NEW, choose_data(chus, product="", refresh="1")))
    assert "Cadres - Espace réservé" not in listing
    response = portal_client.post(NEW, choose_data(chus, product=hidden.pk))
    assert response.context["form"].errors["product"] == [
        "Ce permis ne vous est pas offert pour ce stationnement et cette catégorie en ce moment."
    ]
    assert 'value="2026-06-15"' in page(response)
    assert draft_of(john) is None


def test_the_access_code_shows_a_hidden_product_and_lets_one_choose_it(
    portal_client, chus, john, hidden
):
    offer = portal_client.get(
        "/abonnements/nouveau/offre/",
        {"lot": chus["lot"].pk, "category": chus["category"].pk, "access_code": "cadres-hull"},
    )
    assert "7116 - Cadres - Espace réservé" in page(offer)
    wrong = portal_client.get(
        "/abonnements/nouveau/offre/",
        {"lot": chus["lot"].pk, "category": chus["category"].pk, "access_code": "NOPE"},
    )
    assert "Ce code d'accès ne donne accès à aucun abonnement" in text(wrong)
    data = choose_data(chus, product=hidden.pk, access_code="cadres-hull", end_date="")
    assert portal_client.post(NEW, data).url == VEHICLES
    assert draft_of(john).product == hidden


def test_an_access_code_with_a_nul_byte_opens_nothing(portal_client, chus, john, hidden):
    # PostgreSQL refuses a NUL byte in a text comparison: the lookup raised DataError.
    code = {"lot": chus["lot"].pk, "category": chus["category"].pk, "access_code": "cadres\x00"}
    offer = portal_client.get("/abonnements/nouveau/offre/", code)
    assert offer.status_code == 200
    assert "Ce code d'accès ne donne accès à aucun abonnement" in text(offer)
    response = portal_client.post(NEW, choose_data(chus, product=hidden.pk, access_code="a\x00"))
    assert response.status_code == 200
    assert draft_of(john) is None


def test_a_granted_person_sees_the_hidden_product_without_a_code(portal_client, chus, john, hidden):
    ProductGrantFactory(product=hidden, user=john, organization=hidden.organization)
    response = portal_client.post(NEW, choose_data(chus, product="", refresh="1"))
    assert "7116 - Cadres - Espace réservé" in page(response)


def test_a_category_whose_email_domain_is_not_met_says_so_at_the_category(
    portal_client, chus, john
):
    chus["category"].email_domain = "cegepmontpetit.ca"
    chus["category"].save()
    message = (
        f"La catégorie «{NBSP}Superviseur de stage{NBSP}» exige une adresse courriel "
        "@cegepmontpetit.ca."
    )
    offer = portal_client.get(
        "/abonnements/nouveau/offre/", {"lot": chus["lot"].pk, "category": chus["category"].pk}
    )
    assert message in page(offer)
    response = portal_client.post(NEW, choose_data(chus))
    assert response.context["form"].errors["category"] == [message]
    assert 'value="2026-08-14"' in page(response)
    assert draft_of(john) is None


def test_a_product_no_longer_on_sale_is_refused(portal_client, chus, john):
    product = chus["product"]
    product.sales_end = NOW - dt.timedelta(minutes=1)
    product.save()
    response = portal_client.post(NEW, choose_data(chus))
    assert response.context["form"].errors["product"] == [
        "Ce permis ne vous est pas offert pour ce stationnement et cette catégorie en ce moment."
    ]
    assert draft_of(john) is None


def test_a_product_taken_off_sale_before_submission_keeps_the_draft(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    chus["product"].is_active = False
    chus["product"].save()
    response = pay_by_card(portal_client, draft)
    assert response.status_code == 200
    assert "Ce permis ne vous est pas offert" in text(response)
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


def test_payment_consents_are_refused_at_their_box(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    response = portal_client.post(PAYMENT, {"request": draft.pk, "payment_method": "card"})
    errors = response.context["form"].errors
    assert errors["accepted_payment_conditions"] == [
        "Acceptez les conditions de paiement pour continuer."
    ]
    assert errors["accepted_charge_after_approval"] == [
        "Cochez cette case pour confirmer que vous avez compris."
    ]
    assert re.search(r'value="card"[^>]* checked', page(response))
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


def test_a_payment_method_the_category_refuses_is_refused(portal_client, chus, john):
    draft = to_payment(portal_client, chus, john)
    response = portal_client.post(
        PAYMENT,
        {"request": draft.pk, "payment_method": "payroll", "accepted_payment_conditions": "on"},
    )
    assert response.context["form"].errors["payment_method"] == [
        "Choisissez l'une des méthodes de paiement offertes."
    ]
    draft.refresh_from_db()
    assert draft.status == Subscription.Status.DRAFT


# --- sold out: the waiting list, and the occasional bundle -----------------------------------


@pytest.fixture
def sold_out(chus, organization):
    product = chus["product"]
    product.quantity = 1
    product.units_taken = 1
    product.save()
    occasional = PermitProductFactory(
        organization=organization,
        number="3002",
        name_fr="Forfait Occasionnel",
        kind=PermitProduct.Kind.OCCASIONAL,
        billing_frequency=PermitProduct.Billing.ONE_TIME,
        price=Decimal("55.00"),
        approval_required=False,
        lots=[chus["lot"]],
        categories=[chus["category"]],
    )
    return {"product": product, "occasional": occasional}


def test_a_sold_out_permit_says_complet_and_offers_the_waiting_list(
    portal_client, chus, john, sold_out
):
    offer = portal_client.get(
        "/abonnements/nouveau/offre/", {"lot": chus["lot"].pk, "category": chus["category"].pk}
    )
    words = text(offer)
    assert "Complet" in words
    assert "M'inscrire sur la liste d'attente" in words
    assert "3002 - Forfait Occasionnel reste en vente en tout temps" in words
    assert re.search(rf'value="{sold_out["product"].pk}"[^>]* disabled', page(offer))
    refused = portal_client.post(NEW, choose_data(chus))
    assert refused.context["form"].errors["product"][0].startswith("Ce permis est complet.")
    assert draft_of(john) is None

    response = portal_client.post(
        WAITLIST,
        {
            "lot": chus["lot"].pk,
            "category": chus["category"].pk,
            "waitlist_product": sold_out["product"].pk,
        },
    )
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get(person=john)
    assert entry.product == sold_out["product"]
    back = portal_client.get(response.url)
    assert "vous êtes en position 1" in text(back)
    assert "Vous êtes sur la liste d'attente, en position 1." in text(back)


def test_joining_twice_keeps_the_first_place(portal_client, chus, john, sold_out):
    other = ProfileFactory().user
    WaitingListEntry.objects.create(
        organization=chus["lot"].organization,
        product=sold_out["product"],
        person=other,
        lot=chus["lot"],
        category=chus["category"],
    )
    data = {
        "lot": chus["lot"].pk,
        "category": chus["category"].pk,
        "waitlist_product": sold_out["product"].pk,
    }
    portal_client.post(WAITLIST, data)
    portal_client.post(WAITLIST, data)
    assert WaitingListEntry.objects.filter(person=john).count() == 1


def test_a_permit_on_sale_has_no_waiting_list(portal_client, chus, john):
    response = portal_client.post(
        WAITLIST,
        {
            "lot": chus["lot"].pk,
            "category": chus["category"].pk,
            "waitlist_product": chus["product"].pk,
        },
    )
    assert response.status_code == 302
    assert "La liste d'attente s'ouvre seulement quand le permis est complet." in text(
        portal_client.get(response.url)
    )
    assert not WaitingListEntry.objects.exists()


def test_sold_out_at_submission_keeps_the_draft_and_offers_the_waiting_list(
    portal_client, chus, john
):
    product = chus["product"]
    product.quantity = 1
    product.save()
    draft = to_payment(portal_client, chus, john)
    product.units_taken = 1  # someone else was faster
    product.save()
    response = pay_by_card(portal_client, draft)
    assert response.status_code == 200
    words = text(response)
    assert "Ce permis est complet." in words
    assert "M'inscrire sur la liste d'attente" in words
    draft.refresh_from_db()
    assert (draft.status, draft.contract_number) == (Subscription.Status.DRAFT, None)
    joined = portal_client.post(
        WAITLIST,
        {
            "lot": chus["lot"].pk,
            "category": chus["category"].pk,
            "waitlist_product": product.pk,
            "back_to": "payment",
        },
    )
    assert joined.url == PAYMENT
    assert WaitingListEntry.objects.filter(person=john, product=product).exists()


def test_english_speakers_get_the_wizard_in_english(portal_client, chus, john):
    john.language = "en"
    john.save()
    response = portal_client.post(
        NEW, choose_data(chus, start_date="2026-07-10", end_date="2026-07-01")
    )
    assert response.context["form"].errors["end_date"] == [
        "The end date cannot be before the start date."
    ]
    words = text(response)
    assert "Step 1 of 5" in words
    assert "$23.08" in words
