"""One person's profile is never reachable by another, whatever the host or the POST says."""

from __future__ import annotations

import pytest
from django.test import Client

from parcauto.accounts.models import Profile
from tests.backoffice.conftest import snapshot
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

UPDATE = {
    "gender": "woman",
    "first_name": "Marie",
    "last_name": "Tremblay-Roy",
    "address_line1": "375 rue Argyll",
    "apartment": "",
    "address_line2": "",
    "city": "Sherbrooke",
    "province": "QC",
    "postal_code": "J1J 3H5",
    "mobile_phone": "819 555-1234",
    "home_phone": "",
    "home_phone_ext": "",
    "work_phone": "",
    "work_phone_ext": "",
    "language": "fr",
}


@pytest.fixture
def marie(organization):
    return ProfileFactory(
        user=UserFactory(email="marie@example.com", signup_organization=organization),
        first_name="Marie",
        last_name="Tremblay",
        city="Sherbrooke",
    )


@pytest.fixture
def jean(organization):
    return ProfileFactory(
        user=UserFactory(email="jean@example.com", signup_organization=organization),
        gender="man",
        first_name="Jean",
        last_name="Gagnon",
        address_line1="12 rue Wellington",
        city="Magog",
        postal_code="J1X 1A1",
        mobile_phone="+18195559876",
    )


def _signed_in(profile: Profile, host: str = "chus.testserver") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(profile.user)
    return client


@pytest.mark.parametrize("path", ["/profil/", "/tableau-de-bord/"])
def test_a_person_sees_only_their_own_data(marie, jean, path):
    response = _signed_in(marie).get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Marie" in page
    for other in ("Jean", "Gagnon", "Wellington", "Magog", "jean@example.com"):
        assert other not in page


def test_the_profile_form_is_filled_with_the_signed_in_persons_data(marie, jean):
    form = _signed_in(marie).get("/profil/").context["form"]
    assert (form.initial["first_name"], form.initial["last_name"], form.initial["city"]) == (
        "Marie",
        "Tremblay",
        "Sherbrooke",
    )


def test_a_post_to_the_profile_only_ever_changes_your_own_row(marie, jean):
    jean_before = [row for row in snapshot(Profile) if row["id"] == jean.pk]
    # Ids of someone else's rows in the POST are not fields of the form: they are ignored.
    forged = UPDATE | {"id": jean.pk, "user": jean.user.pk, "user_id": jean.user.pk}

    response = _signed_in(marie).post("/profil/", forged)

    assert response.status_code == 302
    assert response.url == "/tableau-de-bord/"
    marie.refresh_from_db()
    assert marie.last_name == "Tremblay-Roy"
    assert [row for row in snapshot(Profile) if row["id"] == jean.pk] == jean_before
    assert Profile.objects.count() == 2


def test_an_invalid_post_changes_nobody(marie, jean):
    before = snapshot(Profile)
    response = _signed_in(marie).post("/profil/", UPDATE | {"postal_code": "pas un code"})
    assert response.status_code == 200
    assert snapshot(Profile) == before


def test_on_another_institutions_portal_a_person_still_sees_only_their_own_data(
    marie, jean, other_organization
):
    response = _signed_in(marie, host="cisso.testserver").get("/profil/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tremblay" in page
    assert "CISSS de l&#x27;Outaouais" in page  # the portal it was asked on
    assert "Gagnon" not in page


def test_a_post_on_another_institutions_portal_changes_only_your_own_row(
    marie, jean, other_organization
):
    jean_before = [row for row in snapshot(Profile) if row["id"] == jean.pk]
    response = _signed_in(marie, host="cisso.testserver").post("/profil/", UPDATE)
    assert response.status_code == 302
    marie.refresh_from_db()
    assert marie.last_name == "Tremblay-Roy"
    assert [row for row in snapshot(Profile) if row["id"] == jean.pk] == jean_before


@pytest.mark.parametrize("path", ["/profil/", "/tableau-de-bord/"])
def test_anonymous_people_are_sent_to_the_login_page(organization, path):
    response = Client(HTTP_HOST="chus.testserver").get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"


def test_an_anonymous_post_changes_nothing(marie):
    before = snapshot(Profile)
    response = Client(HTTP_HOST="chus.testserver").post("/profil/", UPDATE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert snapshot(Profile) == before


@pytest.mark.parametrize("path", ["/", "/profil/", "/accounts/login/", "/admin/"])
def test_an_unknown_host_name_is_a_404(marie, path):
    client = Client(HTTP_HOST="inconnu.testserver")
    client.force_login(marie.user)
    assert client.get(path).status_code == 404


def test_portal_pages_do_not_exist_on_the_operator_host(marie):
    client = Client()  # root host: the back office and the list of portals
    client.force_login(marie.user)
    assert client.get("/profil/").status_code == 404
