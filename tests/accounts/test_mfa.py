from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client

from parcauto.accounts.models import StaffRole
from tests.backoffice.staff import staff_member, totp_code, wrong_code
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Stationnement-2026"
ACTIVATE = "/accounts/2fa/totp/activate/"


def _log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """TOTP codes change every 30 s: stop the clock early in a period for the whole test."""
    start = dt.datetime.fromtimestamp(time.time() // 30 * 30 + 5, tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        yield


@pytest.fixture
def manager_without_app(organization):
    return staff_member(StaffRole.Role.MANAGER, organization, totp=False)


@pytest.mark.parametrize("path", ["/admin/", "/admin/tenants/legaltext/", "/"])
def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(
    client, manager_without_app, path
):
    client.force_login(manager_without_app)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_staff_are_sent_to_set_it_up_on_a_portal_too(organization, manager_without_app):
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(manager_without_app)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_a_bare_is_staff_flag_also_requires_the_app(client, db):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get("/admin/").url == ACTIVATE


@pytest.mark.parametrize(
    ("path", "status"), [("/accounts/logout/", 200), ("/accounts/2fa/", 200), ("/langue/", 405)]
)
def test_account_pages_stay_reachable_while_the_app_is_missing(
    client, manager_without_app, path, status
):
    client.force_login(manager_without_app)
    assert client.get(path).status_code == status


def test_customers_are_never_asked_for_an_authenticator_app(portal_client):
    customer = ProfileFactory().user
    response = _log_in(portal_client, customer.email)
    assert response.status_code == 302
    assert response.url == "/tableau-de-bord/"
    assert _signed_in(portal_client)
    assert portal_client.get("/tableau-de-bord/").status_code == 200
    assert not Authenticator.objects.exists()


def test_the_activation_page_shows_the_qr_code_and_the_secret_inside_our_layout(
    client, manager_without_app
):
    _log_in(client, manager_without_app.email)
    response = client.get(ACTIVATE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Activer l'application d'authentification" in page
    assert 'class="entrance-card' in page  # our entrance layout, not allauth's bare page
    secret = client.session["mfa.totp.secret"]
    assert f'value="{secret}" readonly' in page
    image = re.search(r'<img class="totp-qr[^"]*" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert image, "the QR code is an <img> with a data: URI"
    svg = base64.b64decode(image.group(1)).decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]


def test_staff_activate_the_app_with_a_valid_code_then_reach_the_back_office(
    client, manager_without_app, frozen_clock
):
    _log_in(client, manager_without_app.email)
    client.get(ACTIVATE)
    secret = client.session["mfa.totp.secret"]

    refused = client.post(ACTIVATE, {"code": wrong_code(secret)})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=manager_without_app).exists()
    response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/recovery-codes/"
    assert set(
        Authenticator.objects.filter(user=manager_without_app).values_list("type", flat=True)
    ) == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes_page = client.get(response.url).content.decode()
    assert '<a class="btn btn-brand" href="/admin/">Continuer</a>' in codes_page
    assert client.get("/admin/").status_code == 200


def test_with_the_app_set_a_password_login_stops_at_the_code_step(client, organization):
    manager = staff_member(StaffRole.Role.MANAGER, organization)

    response = _log_in(client, manager.email)

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert not _signed_in(client)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Authentification à deux facteurs" in page.content.decode()
    assert client.get("/admin/").status_code == 302
    assert not _signed_in(client)


def test_a_wrong_code_keeps_the_door_shut(client, organization, frozen_clock):
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    _log_in(client, manager.email)

    response = client.post("/accounts/2fa/authenticate/", {"code": wrong_code()})

    assert response.status_code == 200
    assert "Code incorrect." in response.content.decode()
    assert not _signed_in(client)


def test_a_valid_code_completes_the_login_into_the_back_office(client, organization, frozen_clock):
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    _log_in(client, manager.email)

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session["_auth_user_id"] == str(manager.pk)
    methods = [record["method"] for record in client.session["account_authentication_methods"]]
    assert methods == ["password", "mfa"]
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_hands_over_to_the_login_that_asks_for_the_code(client, db):
    response = client.get("/admin/login/?next=/admin/tenants/legaltext/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Ftenants%2Flegaltext%2F"


def test_the_admin_login_page_never_accepts_a_password(client, organization):
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    response = client.post(
        "/admin/login/", {"username": manager.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not _signed_in(client)


def test_the_admin_login_page_refuses_an_offsite_next(client, db):
    response = client.get("/admin/login/?next=https://evil.example.com/")
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_a_fresh_password_login_is_enough_to_set_up_the_app(client, manager_without_app):
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _log_in(client, manager_without_app.email)
        assert client.get(ACTIVATE).status_code == 200
        # Later on, changing a second factor needs the password again.
        clock.move_to(start + dt.timedelta(minutes=6))
        response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response.url == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"


def test_a_customer_may_choose_the_app_in_the_portal_then_turn_it_off(portal_client, frozen_clock):
    customer = ProfileFactory().user
    _log_in(portal_client, customer.email)
    index = portal_client.get("/accounts/2fa/").content.decode()
    assert 'class="portal-shell"' in index  # inside the portal, under PARAMÈTRES
    assert f'href="{ACTIVATE}"' in index
    activation = portal_client.get(ACTIVATE).content.decode()
    assert 'class="portal-shell"' in activation
    secret = portal_client.session["mfa.totp.secret"]
    response = portal_client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.url == "/accounts/2fa/recovery-codes/"
    codes_page = portal_client.get(response.url).content.decode()
    assert '<a class="btn btn-brand" href="/tableau-de-bord/">Continuer</a>' in codes_page

    portal_client.post("/accounts/logout/")
    assert _log_in(portal_client, customer.email).url == "/accounts/2fa/authenticate/"
    assert not _signed_in(portal_client)
    done = portal_client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done.url == "/tableau-de-bord/"

    deactivated = portal_client.post("/accounts/2fa/totp/deactivate/")
    assert deactivated.status_code == 302
    assert not Authenticator.objects.filter(user=customer, type="totp").exists()
    portal_client.post("/accounts/logout/")
    assert _log_in(portal_client, customer.email).url == "/tableau-de-bord/"
