"""The operator's approval queue: staff of an institution list, read and decide its requests.

Requests are made the way people make them, through the wizard's services (draft, then
submit), so they carry a contract number, a unit of the quota, consents and audit events.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.catalog.models import PermitProduct
from parcauto.sales.services import subscription_refuse
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services import drafts
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import NOW, QUEUE, TODAY, offer_of, submitted_request
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory
from tests.offers import Offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role


@pytest.fixture
def chus(organization) -> Offer:
    return offer_of(organization)


@pytest.fixture
def cisso(other_organization) -> Offer:
    return offer_of(other_organization, lot_number="1534", product_number="7117")


@pytest.fixture
def other_manager(other_organization) -> User:
    return staff_member(Role.MANAGER, other_organization, email="gestionnaire@cisso.example")


def rows(client: Client, query: str = "") -> list[Subscription]:
    response = client.get(f"{QUEUE}{query}")
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refreshed(subscription: Subscription) -> Subscription:
    return Subscription.objects.get(pk=subscription.pk)


def actions_on(subscription: Subscription) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type="subscriptions.subscription", target_id=str(subscription.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- The queue ----------------------------------------------------------------------------


def test_the_queue_lists_the_institutions_pending_requests_oldest_first(manager, chus, cisso):
    newer = submitted_request(chus, at=NOW - dt.timedelta(hours=1))
    older = submitted_request(chus, at=NOW - dt.timedelta(days=3))
    theirs = submitted_request(cisso)
    response = signed_in(manager).get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [older, newer]
    assert str(theirs.contract_number) not in response.content.decode()


def test_a_manager_of_chus_never_sees_cissso_requests_even_among_every_status(manager, chus, cisso):
    ours = submitted_request(chus)
    submitted_request(cisso)
    assert rows(signed_in(manager), "?status=") == [ours]


def test_the_row_shows_the_request_in_quebec_time(manager, chus):
    request = submitted_request(chus, first_name="Josée", at=NOW - dt.timedelta(hours=2))
    page = signed_in(manager).get(QUEUE).content.decode()
    assert f'href="/gestion/demandes/{request.pk}/">{request.contract_number}</a>' in page
    assert "2026-06-01 08:00" in page  # 12:00 UTC
    assert "Josée Tremblay" in page
    assert request.person.email in page
    assert "1085 · 5569 · Superviseur de stage" in page  # lot, permit, category
    assert "CIUSSS de l&#x27;Estrie - CHUS" in page  # the lot's name
    assert "Permis G (général zone 1)" in page
    assert "Superviseur de stage" in page
    assert "En attente d&#x27;approbation" in page


def test_by_default_only_requests_awaiting_approval_are_listed(manager, chus):
    pending = submitted_request(chus)
    refused = submitted_request(chus)
    subscription_refuse(subscription=refused, actor=manager, reason="Stage terminé", now=NOW)
    client = signed_in(manager)
    assert rows(client) == [pending]
    assert rows(client, "?status=refused") == [refused]
    assert rows(client, "?status=") == [pending, refused]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lot={b.lot.pk}", "second"),
        ("category={a.category.pk}", "first"),
        ("product={b.product.pk}", "second"),
        ("submitted_from=2026-06-01", "second"),
        ("submitted_to=2026-05-31", "first"),
        ("submitted_from=2026-05-27&submitted_to=2026-05-27", "first"),
    ],
)
def test_each_filter_narrows_the_queue(manager, organization, query, expected):
    a = offer_of(organization)
    b = offer_of(organization, lot_number="1086", product_number="5570", category_name="Employé")
    made = {
        "first": submitted_request(a, at=NOW - dt.timedelta(days=5)),
        "second": submitted_request(b, at=NOW - dt.timedelta(hours=1)),
    }
    assert rows(signed_in(manager), "?" + query.format(a=a, b=b)) == [made[expected]]


def test_a_lot_of_another_institution_is_refused_and_reveals_nothing(manager, chus, cisso):
    ours = submitted_request(chus)
    submitted_request(cisso)
    response = signed_in(manager).get(f"{QUEUE}?lot={cisso.lot.pk}")
    assert response.context["form"].errors["lot"] == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]
    assert list(response.context["page"].object_list) == [ours]  # the bad filter is ignored


def test_dates_in_the_wrong_order_are_reported(manager, chus):
    response = signed_in(manager).get(f"{QUEUE}?submitted_from=2026-06-02&submitted_to=2026-06-01")
    assert response.context["form"].errors["submitted_to"] == [
        "La date de fin ne peut pas être avant la date de début."
    ]


def test_the_institution_selector_offers_only_the_staff_members_institutions(
    manager, organization, other_organization
):
    form = signed_in(manager).get(QUEUE).context["form"]
    assert list(form.fields["organization"].queryset) == [organization]
    assert list(form.fields["lot"].queryset) == []  # no lot yet, and none of CISSSO's


def test_the_operator_admin_sees_every_institution_and_may_pick_one(operator, chus, cisso):
    ours = submitted_request(chus, at=NOW - dt.timedelta(days=2))
    theirs = submitted_request(cisso)
    client = signed_in(operator)
    assert rows(client) == [ours, theirs]
    assert rows(client, f"?organization={cisso.organization.pk}") == [theirs]


def test_a_staff_member_of_two_institutions_sees_both(manager, chus, cisso):
    StaffRole.objects.create(user=manager, role=Role.AGENT, organization=cisso.organization)
    ours = submitted_request(chus, at=NOW - dt.timedelta(days=2))
    theirs = submitted_request(cisso)
    assert rows(signed_in(manager)) == [ours, theirs]


def test_the_queue_is_paginated(manager, chus, monkeypatch):
    monkeypatch.setattr("parcauto.backoffice.views.queue.PAGE_SIZE", 2)
    made = [submitted_request(chus, at=NOW - dt.timedelta(days=3 - i)) for i in range(3)]
    client = signed_in(manager)
    assert rows(client) == made[:2]
    assert rows(client, "?page=2") == made[2:]


def test_only_pending_requests_get_a_checkbox(manager, chus):
    pending = submitted_request(chus)
    refused = submitted_request(chus)
    subscription_refuse(subscription=refused, actor=manager, reason="Stage terminé", now=NOW)
    page = signed_in(manager).get(f"{QUEUE}?status=").content.decode()
    assert f'value="{pending.pk}" form="bulk-approve"' in page
    assert f'value="{refused.pk}" form="bulk-approve"' not in page


# --- One request --------------------------------------------------------------------------


def test_the_request_page_shows_everything_the_person_gave(manager, chus):
    request = submitted_request(chus, first_name="Josée")
    attachment = request.attachments.get()
    response = signed_in(manager).get(f"{QUEUE}{request.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for expected in [
        "Josée Tremblay",
        request.person.email,
        "375 rue Argyll",
        "Université de Sherbrooke",
        "Soins infirmiers",
        "ABC",  # the plate
        "Acura",
        "NSX",
        "2021",
        "Rouge",
        f'href="/gestion/demandes/{request.pk}/pieces/{attachment.pk}/"',
        "attestation stage.pdf",
        "Conditions d&#x27;abonnement v3",
        "23,08\u00a0$",
        "1er juin 2026",
        "Demande envoyée",
    ]:
        assert expected in page, expected
    assert response.context["may_decide"] is True


def test_the_history_lists_the_decision_with_its_reason(manager, chus):
    request = submitted_request(chus)
    subscription_refuse(subscription=request, actor=manager, reason="Stage terminé", now=NOW)
    history = signed_in(manager).get(f"{QUEUE}{request.pk}/").context["history"]
    assert [(item["event"].action, item["reason"]) for item in history] == [
        ("subscription.submitted", ""),
        ("subscription.refused", "Stage terminé"),
    ]


def test_a_decided_request_offers_no_decision(manager, chus):
    request = submitted_request(chus)
    subscription_refuse(subscription=request, actor=manager, reason="Stage terminé", now=NOW)
    response = signed_in(manager).get(f"{QUEUE}{request.pk}/")
    assert response.context["may_decide"] is False
    assert f"/gestion/demandes/{request.pk}/approuver/" not in response.content.decode()


# --- Approving ----------------------------------------------------------------------------


def test_approving_a_request_that_starts_today_makes_it_active(manager, chus):
    request = submitted_request(chus)
    response = signed_in(manager).post(f"{QUEUE}{request.pk}/approuver/")
    assert response.status_code == 302
    assert response.url == f"{QUEUE}{request.pk}/"
    assert flashed(response) == [
        f"Demande {request.contract_number} approuvée\u00a0: l'abonnement est actif."
    ]
    approved = refreshed(request)
    assert approved.status == Subscription.Status.ACTIVE
    assert approved.decided_by == manager
    assert approved.decided_at == NOW
    assert approved.activated_at == NOW
    event = AuditEvent.objects.get(action="subscription.approved", target_id=str(request.pk))
    assert (event.actor, event.organization, event.data) == (
        manager,
        chus.organization,
        {"status": "active"},
    )


def test_approving_a_request_that_starts_later_leaves_it_pending_until_then(agent, chus):
    request = submitted_request(chus, start=TODAY + dt.timedelta(days=14))
    client = signed_in(agent)  # the service centre decides too
    response = client.post(f"{QUEUE}{request.pk}/approuver/")
    assert flashed(response) == [
        f"Demande {request.contract_number} approuvée\u00a0: en attente jusqu'au 15 juin 2026."
    ]
    approved = refreshed(request)
    assert approved.status == Subscription.Status.APPROVED
    assert approved.activated_at is None
    assert (
        "En attente jusqu'au 15 juin 2026</span>"
        in client.get(f"{QUEUE}{request.pk}/").content.decode()
    )


def test_approving_twice_says_so_and_changes_nothing(manager, chus):
    request = submitted_request(chus)
    client = signed_in(manager)
    client.get(client.post(f"{QUEUE}{request.pk}/approuver/").url)  # reads its message
    before = (snapshot(Subscription), snapshot(AuditEvent))
    response = client.post(f"{QUEUE}{request.pk}/approuver/")
    assert response.status_code == 302
    assert flashed(response) == ["Seule une demande en attente d'approbation peut être approuvée."]
    assert (snapshot(Subscription), snapshot(AuditEvent)) == before


def test_approving_is_a_post(manager, chus):
    request = submitted_request(chus)
    response = signed_in(manager).get(f"{QUEUE}{request.pk}/approuver/")
    assert response.status_code == 405
    assert refreshed(request).status == Subscription.Status.SUBMITTED


# --- Refusing -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_refusing_without_a_reason_is_refused_and_changes_nothing(manager, chus, reason):
    request = submitted_request(chus)
    before = (snapshot(Subscription), snapshot(AuditEvent), snapshot(PermitProduct))
    response = signed_in(manager).post(f"{QUEUE}{request.pk}/refuser/", {"reason": reason})
    assert response.status_code == 400
    assert response.context["refuse_form"].errors["reason"] == [
        "Indiquez la raison\u00a0: la personne la recevra par courriel."
    ]
    assert (snapshot(Subscription), snapshot(AuditEvent), snapshot(PermitProduct)) == before


def test_refusing_with_a_reason_puts_the_unit_back_on_sale(manager, chus):
    request = submitted_request(chus)
    taken = PermitProduct.objects.get(pk=chus.product.pk).units_taken
    response = signed_in(manager).post(
        f"{QUEUE}{request.pk}/refuser/", {"reason": "  Votre stage se termine en mai.  "}
    )
    assert response.status_code == 302
    assert flashed(response) == [
        f"Demande {request.contract_number} refusée\u00a0: "
        "la personne en est informée par courriel."
    ]
    refused = refreshed(request)
    assert refused.status == Subscription.Status.REFUSED
    assert refused.refusal_reason == "Votre stage se termine en mai."
    assert refused.decided_by == manager
    assert refused.holds_unit is False
    assert PermitProduct.objects.get(pk=chus.product.pk).units_taken == taken - 1
    event = AuditEvent.objects.get(action="subscription.refused", target_id=str(request.pk))
    assert (event.actor, event.data) == (manager, {"reason": "Votre stage se termine en mai."})


def test_refusing_a_request_already_approved_says_so_and_changes_nothing(manager, chus):
    request = submitted_request(chus)
    client = signed_in(manager)
    client.get(client.post(f"{QUEUE}{request.pk}/approuver/").url)  # reads its message
    before = (snapshot(Subscription), snapshot(AuditEvent), snapshot(PermitProduct))
    response = client.post(f"{QUEUE}{request.pk}/refuser/", {"reason": "Trop tard"})
    assert response.status_code == 302
    assert flashed(response) == ["Seule une demande en attente d'approbation peut être refusée."]
    assert (snapshot(Subscription), snapshot(AuditEvent), snapshot(PermitProduct)) == before


# --- Bulk approval ------------------------------------------------------------------------


def test_bulk_approval_asks_for_confirmation_first(manager, chus):
    first, second = submitted_request(chus), submitted_request(chus)
    before = (snapshot(Subscription), snapshot(AuditEvent))
    response = signed_in(manager).post(
        f"{QUEUE}approuver/", {"subscriptions": [first.pk, second.pk], "query": "lot=1"}
    )
    assert response.status_code == 200
    assert response.context["selected"] == [first, second]
    page = response.content.decode()
    assert "Approuver ces 2 demandes\u00a0?" in page
    assert 'name="confirm"' in page
    assert (snapshot(Subscription), snapshot(AuditEvent)) == before


def test_bulk_approval_approves_and_skips_those_no_longer_pending(manager, chus):
    first = submitted_request(chus, at=NOW - dt.timedelta(days=3))
    second = submitted_request(chus, at=NOW - dt.timedelta(days=2), start=TODAY.replace(day=20))
    gone = submitted_request(chus, at=NOW - dt.timedelta(days=1))
    subscription_refuse(subscription=gone, actor=manager, reason="Stage annulé", now=NOW)
    response = signed_in(manager).post(
        f"{QUEUE}approuver/",
        {
            "subscriptions": [first.pk, second.pk, gone.pk],
            "confirm": "1",
            "query": f"product={chus.product.pk}&page=2",
        },
    )
    assert response.status_code == 302
    assert response.url == f"{QUEUE}?product={chus.product.pk}"
    assert flashed(response) == ["2 demandes approuvées; 1 n'était plus en attente"]
    assert refreshed(first).status == Subscription.Status.ACTIVE
    assert refreshed(second).status == Subscription.Status.APPROVED
    assert refreshed(gone).status == Subscription.Status.REFUSED
    assert actions_on(first)[-1] == "subscription.approved"
    assert actions_on(gone)[-1] == "subscription.refused"


def test_bulk_approval_with_one_request_says_it_in_the_singular(manager, chus):
    request = submitted_request(chus)
    response = signed_in(manager).post(
        f"{QUEUE}approuver/", {"subscriptions": [request.pk], "confirm": "1"}
    )
    assert response.url == QUEUE
    assert flashed(response) == ["1 demande approuvée"]


def test_bulk_approval_refuses_a_request_of_another_institution_and_changes_nothing(
    manager, chus, cisso
):
    ours, theirs = submitted_request(chus), submitted_request(cisso)
    before = (snapshot(Subscription), snapshot(AuditEvent))
    response = signed_in(manager).post(
        f"{QUEUE}approuver/", {"subscriptions": [ours.pk, theirs.pk], "confirm": "1"}
    )
    assert response.status_code == 302
    assert flashed(response) == ["Une des demandes choisies est introuvable."]
    assert (snapshot(Subscription), snapshot(AuditEvent)) == before


def test_bulk_approval_without_a_selection_says_so(manager, chus):
    submitted_request(chus)
    before = snapshot(Subscription)
    response = signed_in(manager).post(f"{QUEUE}approuver/", {"confirm": "1"})
    assert flashed(response) == ["Choisissez au moins une demande."]
    assert snapshot(Subscription) == before


# --- Links and the admin ------------------------------------------------------------------


def test_the_admin_index_and_the_institution_list_link_to_the_queue(manager):
    client = signed_in(manager)
    assert 'href="/gestion/demandes/"' in client.get("/admin/").content.decode()
    assert 'href="/gestion/demandes/"' in Client().get("/").content.decode()


def test_gestion_leads_to_the_queue(manager):
    response = signed_in(manager).get("/gestion/")
    assert response.status_code == 302
    assert response.url == QUEUE


def test_the_admin_lists_the_institutions_subscriptions_without_drafts(manager, chus, cisso):
    ours = submitted_request(chus)
    submitted_request(cisso)
    drafts.subscription_draft_choose(
        person=ProfileFactory(user__email="draft@example.com").user,
        organization=chus.organization,
        lot=chus.lot,
        category=chus.category,
        product=chus.product,
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=30),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    response = signed_in(manager).get("/admin/subscriptions/subscription/")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]


def test_nobody_changes_a_subscription_in_the_admin(operator, chus):
    request = submitted_request(chus)
    before = snapshot(Subscription)
    client = signed_in(operator)
    page = client.get(f"/admin/subscriptions/subscription/{request.pk}/change/")
    assert page.status_code == 200
    assert f'href="/gestion/demandes/{request.pk}/"' in page.content.decode()
    response = client.post(
        f"/admin/subscriptions/subscription/{request.pk}/change/", {"status": "active"}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/subscriptions/subscription/{request.pk}/delete/").status_code == 403
    assert snapshot(Subscription) == before


def test_the_queue_speaks_english_to_staff_who_chose_it(manager, chus):
    manager.language = "en"
    manager.save(update_fields=["language"])
    request = submitted_request(chus, start=TODAY + dt.timedelta(days=14))
    client = signed_in(manager)
    assert "Subscription requests" in client.get(QUEUE).content.decode()
    response = client.post(f"{QUEUE}{request.pk}/approuver/")
    assert flashed(response) == [
        f"Request {request.contract_number} approved: pending until June 15, 2026."
    ]


def test_the_queue_and_a_request_page_cost_the_same_queries_however_many_rows(manager, chus):
    client = signed_in(manager)
    first = submitted_request(chus)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    queries(QUEUE)  # the first request of a session does a little more (its last login...)
    one_row, one_page = queries(QUEUE), queries(f"{QUEUE}{first.pk}/")
    for _ in range(3):
        submitted_request(chus)
    assert queries(QUEUE) == one_row
    assert queries(f"{QUEUE}{first.pk}/") == one_page
