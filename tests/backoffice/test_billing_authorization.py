"""Who may open the billing pages: the authorization matrix, URL by URL.

Anonymous people are sent to the login page; people without a staff role are refused;
another institution's staff get 404 for CHUS's invoice, file and refund as if they did
not exist, and do not find CHUS's rows in their lists; CHUS's agent reads every page but
may not refund (a money decision) nor download a collection file (whole account numbers);
CHUS's manager and operator admins may. On a portal
host every page is a 404; staff without an authenticator app set it up first. A refused
request changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice, Refund
from parcauto.payments.models import CollectionFile, PaymentAttempt
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import TODAY
from tests.backoffice.staff import staff_member
from tests.backoffice.test_billing_pages import (
    BILLING,
    NOW,  # noqa: F401 - frozen_now stops the clock there for every test here
    BillingData,
    billing_rows,
    invoice_for,
)
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role


@dataclass(frozen=True)
class Url:
    method: str
    path: str
    data: dict[str, Any]


@pytest.fixture
def billing_data(organization, other_organization) -> BillingData:
    return billing_rows(organization, other_organization)


def urls(data: BillingData) -> dict[str, Url]:
    invoice, found = data.chus_invoice, data.chus_file
    return {
        "runs": Url("get", BILLING, {}),
        "run": Url("get", f"{BILLING}cycles/{data.run.pk}/", {}),
        "failed payments": Url("get", f"{BILLING}paiements-refuses/", {}),
        "files": Url("get", f"{BILLING}fichiers/", {}),
        "invoices": Url("get", f"{BILLING}factures/", {}),
        "download": Url("get", f"{BILLING}fichiers/{found.pk}/telecharger/", {}),
        "revenue": Url("get", f"{BILLING}revenus/", {}),
        "revenue csv": Url("get", f"{BILLING}revenus/export.csv", {}),
        "invoice": Url("get", f"{BILLING}factures/{invoice.pk}/", {}),
        "refund": Url(
            "post",
            f"{BILLING}factures/{invoice.pk}/rembourser/",
            {"amount": "10,00", "reason": "Geste commercial", "confirm": "1"},
        ),
    }


URL_NAMES = [
    "runs",
    "run",
    "failed payments",
    "files",
    "invoices",
    "download",
    "revenue",
    "revenue csv",
    "invoice",
    "refund",
]
OBJECT_URLS = ["download", "invoice", "refund"]
READ_URLS = [n for n in URL_NAMES if n != "refund"]


def call(client: Client, url: Url):
    return getattr(client, url.method)(url.path, url.data)


def state() -> tuple[list[dict[str, Any]], ...]:
    return (
        snapshot(Invoice),
        snapshot(Refund),
        snapshot(PaymentAttempt),
        snapshot(AuditEvent),
        snapshot(CollectionFile),
    )


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_people_are_sent_to_the_login_page(billing_data, name):
    url = urls(billing_data)[name]
    before = state()
    response = call(Client(), url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(url.path)}"
    assert state() == before


@pytest.mark.parametrize("whose", ["the contracts own person", "another customer"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_people_without_a_staff_role_are_refused(billing_data, whose, name):
    person = (
        billing_data.chus_invoice.subscription.person
        if whose == "the contracts own person"
        else ProfileFactory().user
    )
    before = state()
    response = call(signed_in(person), urls(billing_data)[name])
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
@pytest.mark.parametrize("name", OBJECT_URLS)
def test_another_institutions_staff_get_404_as_if_it_did_not_exist(
    billing_data, other_organization, role, name
):
    stranger = staff_member(role, other_organization, email="personnel@cisso.example")
    before = state()
    response = call(signed_in(stranger), urls(billing_data)[name])
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("name", ["failed payments", "invoices", "files", "revenue", "revenue csv"])
def test_another_institutions_staff_find_only_their_own_rows_in_their_lists(
    billing_data, other_organization, name
):
    invoice_for(billing_data.cisso_failed.subscription, period_start=TODAY - dt.timedelta(days=30))
    stranger = staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example")
    response = call(signed_in(stranger), urls(billing_data)[name])
    assert response.status_code == 200
    text = response.content.decode()
    assert str(billing_data.chus_failed.number) not in text
    if name == "failed payments":
        assert list(response.context["page"]) == [billing_data.cisso_failed]
    elif name == "invoices":
        assert {i.organization_id for i in response.context["page"]} == {other_organization.pk}
    elif name == "files":
        assert list(response.context["page"]) == [billing_data.cisso_file]
    elif name == "revenue":
        rows = response.context["revenue"].rows
        assert [row.organization_id for row in rows] == [other_organization.pk]
    else:
        [only, total] = text.splitlines()[1:]
        assert only.startswith("CISSS de l'Outaouais;")
        assert total == "Total;;;1;100,00;5,00;9,98;114,98"


def test_the_institutions_agent_may_not_download_a_collection_file(agent, billing_data):
    # A CPA-005 or payroll file holds whole account numbers: managers answer for them.
    before = state()
    response = call(signed_in(agent), urls(billing_data)["download"])
    assert response.status_code == 403
    assert state() == before


def test_the_institutions_agent_is_not_offered_the_download(agent, billing_data):
    response = call(signed_in(agent), urls(billing_data)["files"])
    assert list(response.context["page"]) == [billing_data.chus_file]
    assert "telecharger/" not in response.content.decode()


def test_the_institutions_agent_may_not_refund(agent, billing_data):
    before = state()
    response = call(signed_in(agent), urls(billing_data)["refund"])
    assert response.status_code == 403
    assert state() == before


def test_the_institutions_agent_is_not_offered_the_refund_form(agent, billing_data):
    response = call(signed_in(agent), urls(billing_data)["invoice"])
    assert response.context["may_refund"] is False
    assert "rembourser/" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "name"),
    [
        (who, name)
        for who in ("manager", "agent", "operator")
        for name in READ_URLS
        if (who, name) != ("agent", "download")  # whole account numbers: refused above
    ],
)
def test_the_institutions_staff_and_operator_admins_open_every_page(
    request, billing_data, who, name
):
    response = call(signed_in(request.getfixturevalue(who)), urls(billing_data)[name])
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["manager", "operator"])
def test_the_institutions_manager_and_operator_admins_may_refund(request, billing_data, who):
    response = call(signed_in(request.getfixturevalue(who)), urls(billing_data)["refund"])
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.invoice, refund.amount, refund.created_by) == (
        billing_data.chus_invoice,
        10,
        request.getfixturevalue(who),
    )


@pytest.mark.parametrize("who", ["anonymous", "manager", "operator"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_on_a_portal_host_every_page_is_a_404(request, billing_data, who, name):
    client = Client(HTTP_HOST="chus.testserver")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = state()
    response = call(client, urls(billing_data)[name])
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("name", ["invoice", "download", "refund"])
def test_staff_without_an_authenticator_app_set_it_up_first(billing_data, organization, name):
    newcomer = staff_member(Role.MANAGER, organization, email="nouveau@chus.example", totp=False)
    before = state()
    response = call(signed_in(newcomer), urls(billing_data)[name])
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    assert state() == before
