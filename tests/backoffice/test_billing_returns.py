"""The bank's returned-debit report, uploaded in the back office; a request's invoices.

Applying returns is a money decision, as refunds are: CHUS's manager and operator admins
only; its agent, people without a staff role and another institution's staff change
nothing. A report that cannot be applied is refused whole with a translated message.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice
from parcauto.payments.models import PaymentAttempt
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import TODAY
from tests.backoffice.staff import staff_member
from tests.backoffice.test_billing_pages import (
    BILLING,
    NOW,  # noqa: F401 - frozen_now stops the clock there for every test here
    attempt_on,
    contract,
    invoice_for,
    text_of,
)
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
RETURNS = f"{BILLING}fichiers/retours/"
HEADER = "cross_reference,amount,reason_code"


@pytest.fixture
def debit(organization) -> PaymentAttempt:
    """A CHUS debit of 114.98 $ in a file, waiting for the bank."""
    invoice = invoice_for(contract(organization), status=Invoice.Status.DUE)
    Invoice.objects.filter(pk=invoice.pk).update(payment_method="pad")
    attempt = attempt_on(
        invoice, status=PaymentAttempt.Status.SENT, message="", kind=PaymentAttempt.Kind.PAD_DEBIT
    )
    attempt.order_id = f"PAD{invoice.number}-1"
    attempt.save(update_fields=["order_id"])
    return attempt


def report(debit: PaymentAttempt, *, amount: str = "114.98") -> str:
    return f"{HEADER}\r\n{debit.order_id},{amount},901\r\n"


def upload(organization, text: str | bytes, name: str = "retours.csv") -> dict[str, object]:
    content = text.encode() if isinstance(text, str) else text
    return {
        "organization": organization.pk,
        "report": SimpleUploadedFile(name, content, content_type="text/csv"),
    }


def state() -> tuple[list[dict[str, object]], ...]:
    return snapshot(Invoice), snapshot(PaymentAttempt), snapshot(AuditEvent)


def assert_not_returned(debit: PaymentAttempt) -> None:
    debit.refresh_from_db()
    assert debit.status == PaymentAttempt.Status.SENT
    assert debit.invoice.status == Invoice.Status.DUE


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_the_login_page(debit, organization, method):
    before = state()
    data = upload(organization, report(debit)) if method == "post" else {}
    response = getattr(Client(), method)(RETURNS, data)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(RETURNS)}"
    assert state() == before


@pytest.mark.parametrize("whose", ["the debits own person", "another customer"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_people_without_a_staff_role_are_refused(debit, organization, whose, method):
    person = (
        debit.invoice.subscription.person
        if whose == "the debits own person"
        else ProfileFactory().user
    )
    before = state()
    response = getattr(signed_in(person), method)(RETURNS, upload(organization, report(debit)))
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_institutions_agent_may_not_apply_returns(agent, debit, organization, method):
    before = state()
    response = getattr(signed_in(agent), method)(RETURNS, upload(organization, report(debit)))
    assert response.status_code == 403
    assert state() == before
    assert_not_returned(debit)


def test_another_institutions_manager_cannot_choose_chus(debit, organization, other_organization):
    stranger = staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example")
    client = signed_in(stranger)
    page = client.get(RETURNS)
    assert list(page.context["form"].fields["organization"].queryset) == [other_organization]
    before = state()
    response = client.post(RETURNS, upload(organization, report(debit)))
    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    assert state() == before


def test_another_institutions_manager_cannot_return_chus_debits(debit, other_organization):
    stranger = staff_member(Role.MANAGER, other_organization, email="personnel@cisso.example")
    before = state()
    response = signed_in(stranger).post(RETURNS, upload(other_organization, report(debit)))
    assert response.status_code == 400
    assert "ne correspondent à aucun prélèvement de cet établissement" in text_of(response)
    assert state() == before


@pytest.mark.parametrize("who", ["manager", "operator"])
def test_the_institutions_manager_and_operator_admins_apply_returns(
    request, debit, organization, who
):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(RETURNS).status_code == 200
    response = client.post(RETURNS, upload(organization, report(debit)), follow=True)
    assert response.redirect_chain == [(RETURNS, 302)]
    assert escape(f"1 prélèvement retourné appliqué pour {organization.name}.") in text_of(response)
    debit.refresh_from_db()
    assert (debit.status, debit.response_code) == (PaymentAttempt.Status.RETURNED, "901")
    invoice = debit.invoice
    assert (invoice.status, invoice.failed_attempts) == (Invoice.Status.FAILED, 1)
    assert invoice.next_attempt_on == TODAY + dt.timedelta(days=3)
    imported = AuditEvent.objects.get(action="payments.pad_returns_imported")
    assert (imported.actor, imported.organization) == (user, organization)
    assert imported.data == {"lines": 1, "returned": 1}
    assert AuditEvent.objects.get(action="payments.pad_debit_returned").actor == user

    # The same report again: nothing more is applied.
    again = client.post(RETURNS, upload(organization, report(debit)), follow=True)
    assert escape(f"0 prélèvement retourné appliqué pour {organization.name}.") in text_of(again)
    invoice.refresh_from_db()
    assert invoice.failed_attempts == 1


@pytest.mark.parametrize("who", ["anonymous", "manager", "operator"])
def test_on_a_portal_host_the_page_is_a_404(request, debit, organization, who):
    client = Client(HTTP_HOST="chus.testserver")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = state()
    response = client.post(RETURNS, upload(organization, report(debit)))
    assert response.status_code == 404
    assert state() == before


def test_staff_without_an_authenticator_app_set_it_up_first(debit, organization):
    newcomer = staff_member(Role.MANAGER, organization, email="nouveau@chus.example", totp=False)
    before = state()
    response = signed_in(newcomer).post(RETURNS, upload(organization, report(debit)))
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
    assert state() == before


# --- What a bad report says ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("reference,montant\nX,1.00\n", "La première ligne doit être " + HEADER + "."),
        (f"{HEADER}\nPAD1-1,abc,901\n", "Ces lignes sont illisibles\u00a0: 2."),
        (f"{HEADER}\nPAD1-1,114.98,901\n", "aucun prélèvement de cet établissement\u00a0: 2."),
        ("\xff\xfe\x00binary".encode("latin-1"), "Le rapport doit être un fichier CSV en UTF-8."),
        (b"", "Le rapport est vide."),
    ],
)
def test_a_bad_report_is_refused_with_a_clear_message(
    manager, debit, organization, content, message
):
    before = state()
    response = signed_in(manager).post(RETURNS, upload(organization, content))
    assert response.status_code == 400
    assert message in text_of(response)
    assert state() == before
    assert_not_returned(debit)


def test_a_wrong_amount_refuses_the_whole_report(manager, debit, organization):
    before = state()
    response = signed_in(manager).post(RETURNS, upload(organization, report(debit, amount="1.00")))
    assert response.status_code == 400
    assert "aucun prélèvement de cet établissement\u00a0: 2." in text_of(response)
    assert state() == before


def test_without_a_report_or_an_institution_the_form_says_so(manager, debit):
    before = state()
    response = signed_in(manager).post(RETURNS, {})
    assert response.status_code == 400
    text = text_of(response)
    assert "Choisissez l\u2019établissement." in text
    assert "Choisissez le rapport à importer." in text
    assert state() == before


def test_a_report_too_big_is_refused(manager, debit, organization):
    big = report(debit) + "\n" * (2 * 1024 * 1024)
    response = signed_in(manager).post(RETURNS, upload(organization, big))
    assert response.status_code == 400
    assert "Le rapport fait 2,0 Mo\u00a0: le maximum est de 2,0 Mo." in text_of(response)
    assert_not_returned(debit)


# --- Where it is linked -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "linked"), [("manager", True), ("operator", True), ("agent", False)]
)
def test_the_files_page_links_to_it_for_those_who_may_apply_returns(request, who, linked):
    response = signed_in(request.getfixturevalue(who)).get(f"{BILLING}fichiers/")
    assert response.status_code == 200
    assert (RETURNS in text_of(response)) is linked


def test_the_request_page_lists_the_contracts_invoices(agent, organization, other_organization):
    subscription = contract(organization)
    older = invoice_for(subscription, period_start=TODAY - dt.timedelta(days=30))
    newer = invoice_for(subscription, status=Invoice.Status.FAILED)
    someone_else = invoice_for(contract(other_organization))
    response = signed_in(agent).get(f"/gestion/demandes/{subscription.pk}/")
    assert response.status_code == 200
    assert response.context["invoices"] == [newer, older]
    text = text_of(response)
    for invoice in (newer, older):
        assert f'href="{BILLING}factures/{invoice.pk}/"' in text
        assert f"Facture {invoice.number}" in text
    assert f"{BILLING}factures/{someone_else.pk}/" not in text
