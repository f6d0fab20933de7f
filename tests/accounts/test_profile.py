from __future__ import annotations

import pytest

from parcauto.accounts.models import Profile
from parcauto.audit.models import AuditEvent
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "gender": "man",
    "first_name": "John",
    "last_name": "Tremblay",
    "address_line1": "1345 rue Principale",
    "apartment": "4",
    "address_line2": "",
    "city": "Québec",
    "province": "QC",
    "postal_code": "g1g1g1",
    "mobile_phone": "418-555-0199",
    "language": "fr",
    "home_phone": "",
    "home_phone_ext": "",
    "work_phone": "(418) 418-4181",
    "work_phone_ext": "0000",
}


@pytest.fixture
def person(portal_client):
    user = UserFactory(email="john@example.com")
    portal_client.force_login(user)
    return user


def test_the_first_login_asks_for_personal_information(portal_client, person):
    response = portal_client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response.url == "/profil/"
    page = portal_client.get("/profil/").content.decode()
    assert "Informations personnelles" in page
    assert "Uniquement lors de votre première connexion" in page or "première connexion" in page


def test_a_complete_profile_is_saved_normalised_and_audited(portal_client, person):
    response = portal_client.post("/profil/", VALID)
    assert response.status_code == 302
    assert response.url == "/tableau-de-bord/"
    profile = Profile.objects.get(user=person)
    assert profile.postal_code == "G1G 1G1"
    assert profile.mobile_phone == "+14185550199"
    assert profile.work_phone == "+14184184181"
    assert profile.work_phone_ext == "0000"
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("John", "Tremblay")
    event = AuditEvent.objects.get(action="profile.created")
    assert event.actor == person
    assert "postal_code" in event.data["fields"]
    assert "G1G" not in str(event.data)  # field names only, never the values


def test_missing_fields_say_required_field_and_keep_what_was_typed(portal_client, person):
    data = {**VALID, "first_name": "", "mobile_phone": "", "work_phone": "", "work_phone_ext": ""}
    response = portal_client.post("/profil/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["first_name"] == ["Champ requis"]
    assert form.errors["mobile_phone"] == ["Champ requis"]
    assert form.errors["home_phone"] == ["Champ requis"]
    page = response.content.decode()
    assert 'value="1345 rue Principale"' in page
    assert 'value="g1g1g1"' in page
    assert not Profile.objects.exists()


def test_a_malformed_postal_code_or_phone_is_explained_in_french(portal_client, person):
    response = portal_client.post(
        "/profil/", {**VALID, "postal_code": "H2X-1Y", "mobile_phone": "555-12"}
    )
    form = response.context["form"]
    assert form.errors["postal_code"] == ["Entrez un code postal canadien, par exemple H2X 1Y4."]
    assert form.errors["mobile_phone"] == [
        "Entrez un numéro de téléphone valide, par exemple 514 555-1234."
    ]
    assert not Profile.objects.exists()


def test_an_extension_needs_its_phone_number(portal_client, person):
    response = portal_client.post("/profil/", {**VALID, "work_phone": "", "work_phone_ext": "12"})
    assert response.context["form"].errors["work_phone_ext"] == [
        "Entrez le numéro de téléphone de ce poste."
    ]


def test_english_speakers_get_english_errors(portal_client, person):
    person.language = "en"
    person.save()
    response = portal_client.post("/profil/", {**VALID, "city": ""})
    page = response.content.decode()
    assert '<div class="invalid-feedback d-block" id="id_city_error1">Required field</div>' in page
    assert "Champ requis" not in page


def test_choosing_english_in_the_profile_switches_the_interface(portal_client, person):
    portal_client.post("/profil/", {**VALID, "language": "en"})
    person.refresh_from_db()
    assert person.language == "en"
    page = portal_client.get("/tableau-de-bord/").content.decode()
    assert "Hello John" in page
    assert '<html lang="en-CA">' in page


def test_updating_shows_stored_phones_in_the_national_format(portal_client):
    profile = ProfileFactory(mobile_phone="+15145551234")
    portal_client.force_login(profile.user)
    page = portal_client.get("/profil/").content.decode()
    assert 'value="(514) 555-1234"' in page
    assert 'value="J1J 3H5"' in page


def test_an_update_is_audited_with_the_changed_fields_only(portal_client):
    profile = ProfileFactory()
    portal_client.force_login(profile.user)
    data = {**VALID, "first_name": profile.first_name, "last_name": profile.last_name}
    data |= {"address_line1": profile.address_line1, "city": "Magog"}
    portal_client.post("/profil/", data)
    event = AuditEvent.objects.get(action="profile.updated")
    assert "city" in event.data["fields"]
    assert "first_name" not in event.data["fields"]


def test_anonymous_visitors_are_sent_to_the_login_page(portal_client):
    response = portal_client.get("/profil/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
