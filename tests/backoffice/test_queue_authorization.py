"""Who may open a subscription's pages and files: the authorization matrix.

Back office (`/gestion/`, root host), for every URL of a CHUS request: anonymous people
are sent to the login page, customers (the request's own person included) are refused,
CISSSO's staff get 404 as if the request did not exist, and on a portal host every page
is a 404.

Portal (the person's own pages: details, withdrawal, proof file, contract PDF): anonymous
people are sent to the login page; anyone but the person, staff included, and the person
on another institution's portal, get 404.

A refused request changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.catalog.models import PermitProduct
from parcauto.sales.services import subscription_approve
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.services import drafts
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import NOW, PDF, QUEUE, offer_of, submitted_request
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role


@dataclass(frozen=True)
class Url:
    method: str
    path: str
    data: dict[str, Any]


@pytest.fixture
def chus_request(organization) -> Subscription:
    return submitted_request(offer_of(organization))


@pytest.fixture
def attachment(chus_request) -> Attachment:
    return chus_request.attachments.get()


def urls(request: Subscription, attachment: Attachment) -> dict[str, Url]:
    pk = request.pk
    return {
        "queue": Url("get", QUEUE, {}),
        "detail": Url("get", f"{QUEUE}{pk}/", {}),
        "attachment": Url("get", f"{QUEUE}{pk}/pieces/{attachment.pk}/", {}),
        "approve": Url("post", f"{QUEUE}{pk}/approuver/", {}),
        "refuse": Url("post", f"{QUEUE}{pk}/refuser/", {"reason": "Non"}),
        "bulk approve": Url("post", f"{QUEUE}approuver/", {"subscriptions": [pk], "confirm": "1"}),
    }


URL_NAMES = ["queue", "detail", "attachment", "approve", "refuse", "bulk approve"]


def call(client: Client, url: Url):
    return getattr(client, url.method)(url.path, url.data)


def state() -> tuple[list[dict[str, Any]], ...]:
    return snapshot(Subscription), snapshot(AuditEvent), snapshot(PermitProduct)


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_people_are_sent_to_the_login_page(chus_request, attachment, name):
    url = urls(chus_request, attachment)[name]
    before = state()
    response = call(Client(), url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(url.path)}"
    assert state() == before


@pytest.mark.parametrize("whose", ["the requests own person", "another customer"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_customers_are_refused(chus_request, attachment, whose, name):
    person = chus_request.person if whose == "the requests own person" else ProfileFactory().user
    url = urls(chus_request, attachment)[name]
    before = state()
    response = call(signed_in(person), url)
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
@pytest.mark.parametrize("name", [n for n in URL_NAMES if n not in ("queue", "bulk approve")])
def test_another_institutions_staff_get_404_as_if_the_request_did_not_exist(
    chus_request, attachment, other_organization, role, name
):
    stranger = staff_member(role, other_organization, email="personnel@cisso.example")
    url = urls(chus_request, attachment)[name]
    before = state()
    response = call(signed_in(stranger), url)
    assert response.status_code == 404
    assert state() == before


def test_another_institutions_staff_do_not_find_the_request_in_their_queue(
    chus_request, other_organization
):
    stranger = staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example")
    response = signed_in(stranger).get(f"{QUEUE}?status=")
    assert list(response.context["page"].object_list) == []
    assert str(chus_request.contract_number) not in response.content.decode()


def test_another_institutions_staff_cannot_approve_it_in_bulk(chus_request, other_organization):
    stranger = staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example")
    before = state()
    response = signed_in(stranger).post(
        f"{QUEUE}approuver/", {"subscriptions": [chus_request.pk], "confirm": "1"}
    )
    assert response.status_code == 302
    assert state() == before
    assert Subscription.objects.get(pk=chus_request.pk).status == Subscription.Status.SUBMITTED


@pytest.mark.parametrize("who", ["anonymous", "manager", "operator"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_on_a_portal_host_every_page_is_a_404(request, chus_request, attachment, who, name):
    client = Client(HTTP_HOST="chus.testserver")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = state()
    response = call(client, urls(chus_request, attachment)[name])
    assert response.status_code == 404
    assert state() == before


def test_gestion_itself_is_a_404_on_a_portal_host(manager):
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(manager)
    assert client.get("/gestion/").status_code == 404


def test_staff_without_an_authenticator_app_set_it_up_first(organization, chus_request):
    newcomer = staff_member(Role.AGENT, organization, email="nouveau@chus.example", totp=False)
    response = signed_in(newcomer).get(f"{QUEUE}{chus_request.pk}/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("who", ["manager", "agent", "operator"])
@pytest.mark.parametrize("name", ["queue", "detail", "attachment"])
def test_the_institutions_staff_and_operator_admins_open_every_page(
    request, chus_request, attachment, who, name
):
    response = call(signed_in(request.getfixturevalue(who)), urls(chus_request, attachment)[name])
    assert response.status_code == 200


def test_an_attachment_is_downloaded_never_shown_inline(manager, chus_request, attachment):
    response = signed_in(manager).get(f"{QUEUE}{chus_request.pk}/pieces/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="preuve-{chus_request.contract_number}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="subscription.attachment_downloaded")
    assert (event.actor, event.organization_id, event.target_id, event.data) == (
        manager,
        chus_request.organization_id,
        str(chus_request.pk),
        {"attachment": attachment.pk},
    )


def test_an_attachment_of_another_request_is_not_reached_through_this_one(
    manager, organization, chus_request
):
    other = submitted_request(
        offer_of(organization, lot_number="1086", product_number="5570", category_name="Employé")
    )
    theirs = other.attachments.get()
    response = signed_in(manager).get(f"{QUEUE}{chus_request.pk}/pieces/{theirs.pk}/")
    assert response.status_code == 404


def test_an_attachment_whose_file_is_gone_is_a_404(manager, chus_request, attachment):
    attachment.file.delete(save=False)
    response = signed_in(manager).get(f"{QUEUE}{chus_request.pk}/pieces/{attachment.pk}/")
    assert response.status_code == 404


def test_a_draft_is_nobodys_business_in_the_back_office(operator, organization):
    offer = offer_of(organization)
    draft = drafts.subscription_draft_choose(
        person=ProfileFactory().user,
        organization=organization,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        start_date=NOW.date(),
        end_date=NOW.date() + dt.timedelta(days=30),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    response = signed_in(operator).get(f"{QUEUE}{draft.pk}/")
    assert response.status_code == 404


# --- The person's own pages on the portal -------------------------------------------------


@pytest.fixture
def contract(manager, chus_request) -> Subscription:
    """The CHUS request, approved: it has a contract PDF."""
    return subscription_approve(subscription=chus_request, actor=manager, now=NOW)


def portal_urls(subscription: Subscription, attachment: Attachment) -> dict[str, Url]:
    base = f"/abonnements/{subscription.pk}/"
    return {
        "details": Url("get", base, {}),
        "withdrawal": Url("post", f"{base}annuler/", {}),
        "proof file": Url("get", f"{base}pieces/{attachment.pk}/", {}),
        "contract PDF": Url("get", f"{base}contrat.pdf", {}),
    }


PORTAL_URL_NAMES = ["details", "withdrawal", "proof file", "contract PDF"]


def on_portal(host: str, user: User | None = None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", PORTAL_URL_NAMES)
def test_on_the_portal_anonymous_people_are_sent_to_the_login_page(contract, attachment, name):
    url = portal_urls(contract, attachment)[name]
    before = state()
    response = call(on_portal("chus.testserver"), url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(url.path)}"
    assert state() == before


@pytest.mark.parametrize(
    "who",
    [
        "another customer",
        "the person, on another institution's portal",
        "another institution's manager",
        "the institution's own manager (staff use /gestion/)",
    ],
)
@pytest.mark.parametrize("name", PORTAL_URL_NAMES)
def test_on_the_portal_anyone_but_the_person_gets_404(
    contract, attachment, other_organization, manager, who, name
):
    client = {
        "another customer": lambda: on_portal("chus.testserver", ProfileFactory().user),
        "the person, on another institution's portal": lambda: on_portal(
            "cisso.testserver", contract.person
        ),
        "another institution's manager": lambda: on_portal(
            "chus.testserver",
            staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example"),
        ),
        "the institution's own manager (staff use /gestion/)": lambda: on_portal(
            "chus.testserver", manager
        ),
    }[who]()
    before = state()
    response = call(client, portal_urls(contract, attachment)[name])
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("name", ["details", "proof file", "contract PDF"])
def test_on_the_portal_the_person_opens_their_own_pages(contract, attachment, name):
    response = call(
        on_portal("chus.testserver", contract.person), portal_urls(contract, attachment)[name]
    )
    assert response.status_code == 200
