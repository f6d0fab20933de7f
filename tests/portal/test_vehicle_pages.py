"""PARAMÈTRES > Mes véhicules: a person lists, adds, edits and deletes their own vehicles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from parcauto.audit.models import AuditEvent
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle, VehicleChange
from parcauto.vehicles.services import VehicleData, vehicle_add
from tests.backoffice.conftest import snapshot
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
    UserFactory,
)
from tests.pages import NBSP, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # 10:00 in Quebec
ADDED = (
    "Votre véhicule a été ajouté. Un délai de 24"
    + NBSP
    + "h est nécessaire avant que les patrouilleurs et les caméras le reconnaissent."
)
VALID = {
    "year": "2019",
    "make": "toyota",
    "model": "RAV4",
    "colour": "Gris",
    "plate": " abc-123 ",
    "jurisdiction": "QC",
}


@pytest.fixture
def marie(portal_client):
    user = ProfileFactory(user=UserFactory(email="marie@example.com")).user
    portal_client.force_login(user)
    return user


def add(owner, plate: str, **changes) -> Vehicle:
    values = {"jurisdiction": "QC", "make": "Honda", "model": "Civic", "year": 2021}
    data = VehicleData(plate=plate, colour="Bleu", **(values | changes))
    return vehicle_add(owner=owner, data=data, actor=owner, now=NOW)


# --- settings and list ---------------------------------------------------------------------


def test_the_settings_menu_leads_to_personal_information_and_vehicles(portal_client, marie):
    dashboard = page(portal_client.get("/tableau-de-bord/"))
    assert 'href="/parametres/"' in dashboard
    settings_page = page(portal_client.get("/parametres/"))
    assert "Informations personnelles" in settings_page
    assert 'href="/profil/"' in settings_page
    assert "Mes véhicules" in settings_page
    assert 'href="/parametres/vehicules/"' in settings_page


def test_an_empty_list_says_so_and_offers_to_add(portal_client, marie):
    listing = page(portal_client.get("/parametres/vehicules/"))
    assert "Aucun véhicule n'est enregistré au compte." in listing
    assert 'href="/parametres/vehicules/ajouter/">Ajouter un véhicule</a>' in listing


def test_the_list_shows_each_vehicle_with_edit_and_delete(portal_client, marie):
    vehicle = add(marie, "FAB123")
    listing = page(portal_client.get("/parametres/vehicules/"))
    for text in ("FAB123", "Québec", "Honda", "Civic", "2021", "Bleu", "Éditer", "Supprimer"):
        assert text in listing
    assert f'href="/parametres/vehicules/{vehicle.pk}/modifier/"' in listing
    assert f'href="/parametres/vehicules/{vehicle.pk}/supprimer/"' in listing
    # Added just now: it reaches patrol tomorrow at the same time (shown in Quebec time).
    assert "à partir du 26 novembre 2026 à 10 h 00" in listing


def test_at_the_maximum_the_add_button_is_disabled_and_explained(portal_client, marie):
    add(marie, "AAA111")
    add(marie, "BBB222")
    listing = page(portal_client.get("/parametres/vehicules/"))
    assert 'href="/parametres/vehicules/ajouter/"' not in listing
    assert "disabled" in listing
    assert f"Maximum 2 véhicules{NBSP}: supprimez-en un avant d'en ajouter un autre." in listing


# --- add -------------------------------------------------------------------------------------


def test_the_add_form_has_the_fields_of_the_guides_and_suggestions(portal_client, marie):
    form_page = page(portal_client.get("/parametres/vehicules/ajouter/"))
    for label in ("Année", "Marque", "Modèle", "Couleur", "Numéro d'immatriculation"):
        assert f">{label} <span" in form_page or f">{label}<" in form_page
    assert "Province ou État" in form_page
    assert 'placeholder="Sélectionner ou inscrire un modèle"' in form_page
    assert "n'inscrivez pas le tiret et le dernier chiffre" in form_page
    assert '<option value="Toyota"></option>' in form_page
    assert 'hx-get="/parametres/vehicules/modeles/"' in form_page
    assert 'list="id_model_suggestions"' in form_page
    assert '<option value="QC" selected>Québec</option>' in form_page


def test_a_vehicle_is_added_and_the_delay_is_announced(portal_client, marie, organization):
    response = portal_client.post("/parametres/vehicules/ajouter/", VALID, follow=True)
    assert response.redirect_chain == [("/parametres/vehicules/", 302)]
    assert ADDED in page(response)
    vehicle = Vehicle.objects.get(owner=marie)
    assert (vehicle.plate, vehicle.make, vehicle.model, vehicle.year) == (
        "ABC123",
        "Toyota",
        "RAV4",
        2019,
    )
    assert vehicle.changes.get().effective_at == NOW + dt.timedelta(hours=24)
    assert AuditEvent.objects.get(action="vehicle.added").organization == organization


def test_the_announced_delay_follows_the_setting(portal_client, marie, settings):
    settings.PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = 48
    response = portal_client.post("/parametres/vehicules/ajouter/", VALID, follow=True)
    assert f"Un délai de 48{NBSP}h est nécessaire" in page(response)


def test_errors_are_shown_per_field_and_nothing_typed_is_lost(portal_client, marie):
    data = {**VALID, "plate": "AB.12#", "colour": "", "year": "1890"}
    response = portal_client.post("/parametres/vehicules/ajouter/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["plate"] == [
        "Entrez le numéro de plaque en lettres et en chiffres seulement, par exemple ABC123."
    ]
    assert errors["colour"] == ["Champ requis"]
    assert errors["year"] == ["Entrez une année de 1950 à 2027."]
    assert 'value="AB.12#"' in page(response)
    assert 'value="toyota"' in page(response)
    assert not Vehicle.objects.exists()


def test_a_third_vehicle_is_refused_on_the_page_and_nothing_changes(portal_client, marie):
    add(marie, "AAA111")
    add(marie, "BBB222")
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    response = portal_client.post("/parametres/vehicules/ajouter/", VALID)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Maximum 2 véhicules{NBSP}: supprimez-en un avant d'en ajouter un autre."
    ]
    assert 'value="RAV4"' in page(response)
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before


def test_opening_the_add_page_at_the_maximum_returns_to_the_list(portal_client, marie):
    add(marie, "AAA111")
    add(marie, "BBB222")
    response = portal_client.get("/parametres/vehicules/ajouter/", follow=True)
    assert response.redirect_chain == [("/parametres/vehicules/", 302)]
    assert "supprimez-en un avant d'en ajouter un autre." in page(response)


def test_a_plate_already_on_the_account_is_refused_next_to_the_plate(portal_client, marie):
    add(marie, "ABC123")
    before = snapshot(Vehicle)
    response = portal_client.post("/parametres/vehicules/ajouter/", VALID)
    assert response.context["form"].errors["plate"] == [
        "Vous avez déjà enregistré un véhicule portant la plaque ABC123."
    ]
    assert snapshot(Vehicle) == before


def test_the_models_of_the_chosen_make_are_suggested(portal_client, marie):
    response = portal_client.get("/parametres/vehicules/modeles/", {"make": "toyota"})
    assert response.status_code == 200
    assert '<option value="RAV4"></option>' in page(response)
    assert "Civic" not in page(response)
    prefixed = portal_client.get("/parametres/vehicules/modeles/", {"vehicle-make": "Honda"})
    assert '<option value="Civic"></option>' in page(prefixed)
    assert page(portal_client.get("/parametres/vehicules/modeles/", {"make": "Lada"})).strip() == ""


# --- edit ------------------------------------------------------------------------------------


def test_the_edit_form_is_filled_and_a_change_announces_the_delay(portal_client, marie):
    vehicle = add(marie, "FAB123")
    url = f"/parametres/vehicules/{vehicle.pk}/modifier/"
    form_page = page(portal_client.get(url))
    assert 'value="FAB123"' in form_page
    assert '<option value="2021" selected>2021</option>' in form_page
    response = portal_client.post(url, {**VALID, "plate": "XYZ 789"}, follow=True)
    assert response.redirect_chain == [("/parametres/vehicules/", 302)]
    assert (
        "Votre véhicule a été modifié. La modification prend 24"
        + NBSP
        + "h à parvenir aux patrouilleurs et aux caméras. D'ici là, ils utilisent les "
        "informations précédentes."
    ) in page(response)
    vehicle.refresh_from_db()
    assert (vehicle.plate, vehicle.make) == ("XYZ789", "Toyota")
    assert vehicle.changes.count() == 2


def test_saving_without_a_change_records_nothing(portal_client, marie):
    vehicle = add(marie, "FAB123")
    before = snapshot(VehicleChange)
    same = {"year": "2021", "make": "Honda", "model": "Civic", "colour": "Bleu"}
    response = portal_client.post(
        f"/parametres/vehicules/{vehicle.pk}/modifier/",
        {**same, "plate": "fab 123", "jurisdiction": "QC"},
        follow=True,
    )
    assert "Aucune modification." in page(response)
    assert snapshot(VehicleChange) == before


# --- delete ----------------------------------------------------------------------------------


def test_a_vehicle_is_deleted_after_confirmation(portal_client, marie):
    vehicle = add(marie, "FAB123")
    url = f"/parametres/vehicules/{vehicle.pk}/supprimer/"
    confirm = page(portal_client.get(url))
    assert "FAB123" in confirm
    assert "Voulez-vous supprimer ce véhicule de votre compte?" in confirm
    vehicle.refresh_from_db()
    assert vehicle.removed_at is None  # opening the page deletes nothing
    response = portal_client.post(url, follow=True)
    assert response.redirect_chain == [("/parametres/vehicules/", 302)]
    assert (
        "Votre véhicule a été supprimé. Les patrouilleurs et les caméras cesseront de le "
        "reconnaître dans 24" + NBSP + "h."
    ) in page(response)
    assert "Aucun véhicule n'est enregistré au compte." in page(response)
    vehicle.refresh_from_db()
    assert vehicle.removed_at == NOW
    assert portal_client.get(url).status_code == 404


# A contract on any portal of the person's: vehicles belong to the account.
@pytest.mark.parametrize("contract_portal", ["organization", "other_organization"])
def test_the_last_vehicle_of_a_live_contract_cannot_be_deleted(
    portal_client, marie, contract_portal, request
):
    organization = request.getfixturevalue(contract_portal)
    vehicle = add(marie, "FAB123")
    lot = ParkingLotFactory(organization=organization)
    category = UserCategoryFactory(organization=organization)
    product = PermitProductFactory(organization=organization, lots=[lot], categories=[category])
    Subscription.objects.create(
        organization=organization,
        person=marie,
        lot=lot,
        category=category,
        product=product,
        status=Subscription.Status.ACTIVE,
        step=Subscription.Step.PAYMENT,
        start_date=NOW.date(),
        contract_number=100000001,
        price=product.price,
        billing_frequency=product.billing_frequency,
    )
    response = portal_client.post(f"/parametres/vehicules/{vehicle.pk}/supprimer/")
    assert response.status_code == 200
    assert "Votre abonnement exige 1 véhicule\u00a0: ajoutez-en un autre" in page(response)
    vehicle.refresh_from_db()
    assert vehicle.removed_at is None


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["modifier/", "supprimer/"])
def test_another_persons_vehicle_is_not_found(portal_client, marie, suffix):
    jean = UserFactory(email="jean@example.com")
    his = add(jean, "JEAN01")
    before = (snapshot(Vehicle), snapshot(VehicleChange))
    url = f"/parametres/vehicules/{his.pk}/{suffix}"
    assert portal_client.get(url).status_code == 404
    assert portal_client.post(url, {**VALID, "plate": "MARIE1"}).status_code == 404
    assert (snapshot(Vehicle), snapshot(VehicleChange)) == before
    assert "JEAN01" not in page(portal_client.get("/parametres/vehicules/"))


@pytest.mark.parametrize(
    "path",
    [
        "/parametres/",
        "/parametres/vehicules/",
        "/parametres/vehicules/ajouter/",
        "/parametres/vehicules/1/modifier/",
        "/parametres/vehicules/1/supprimer/",
        "/parametres/vehicules/modeles/",
    ],
)
def test_anonymous_people_are_sent_to_the_login(portal_client, path):
    response = portal_client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_vehicle_pages_do_not_exist_on_the_operators_host(marie):
    client = Client()  # testserver: the list of institutions, no portal
    client.force_login(marie)
    assert client.get("/parametres/vehicules/").status_code == 404


def test_the_same_vehicles_show_on_every_portal_of_the_person(marie, other_organization):
    add(marie, "FAB123")
    client = Client(HTTP_HOST="cisso.testserver")
    client.force_login(marie)
    assert "FAB123" in page(client.get("/parametres/vehicules/"))


# --- English ---------------------------------------------------------------------------------


def test_a_person_who_chose_english_gets_english_pages_and_messages(portal_client, marie):
    marie.language = "en"
    marie.save()
    listing = page(portal_client.get("/parametres/vehicules/"))
    assert "No vehicle is registered to the account." in listing
    assert "Aucun véhicule" not in listing
    response = portal_client.post("/parametres/vehicules/ajouter/", VALID, follow=True)
    assert (
        "Your vehicle has been added. It takes 24 hours before patrol officers and plate "
        "cameras recognise it."
    ) in page(response)
    vehicle = Vehicle.objects.get(owner=marie)
    edit_page = page(portal_client.get(f"/parametres/vehicules/{vehicle.pk}/modifier/"))
    assert "Licence plate number" in edit_page
    assert 'placeholder="Select or type a model"' in edit_page
