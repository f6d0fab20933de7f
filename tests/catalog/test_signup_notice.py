from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OrganizationFactory, UserCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cem(db):
    cem = OrganizationFactory(slug="cem", name_fr="Cégep Édouard-Montpetit")
    UserCategoryFactory(
        organization=cem,
        name_fr="Étudiant",
        name_en="Student",
        email_domain="cegepmontpetit.ca",
        sort_order=1,
    )
    UserCategoryFactory(organization=cem, name_fr="Employé", sort_order=2)
    return cem


def test_the_sign_up_page_tells_students_to_use_their_school_address(cem):
    response = Client(HTTP_HOST="cem.testserver").get("/accounts/signup/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="signup-email-rules"' in content
    assert "Étudiant\u00a0: utilisez votre adresse @cegepmontpetit.ca." in content
    assert "Employé" not in content
    # The notice comes before the form.
    assert content.index("signup-email-rules") < content.index('action="/accounts/signup/"')


def test_the_notice_follows_the_chosen_language(cem):
    client = Client(HTTP_HOST="cem.testserver")
    client.cookies["parcauto_language"] = "en"
    content = client.get("/accounts/signup/").content.decode()
    assert "Student: use your @cegepmontpetit.ca address." in content


def test_a_portal_without_an_address_rule_shows_no_notice(portal_client, organization, cem):
    UserCategoryFactory(organization=organization, name_fr="Superviseur de stage")
    response = portal_client.get("/accounts/signup/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "signup-email-rules" not in content
    assert "cegepmontpetit.ca" not in content
