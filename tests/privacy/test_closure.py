"""Closing an account: refused (changing nothing) while something is in force or owed,
with every reason; otherwise the confirmation leaves first, then the personal data is
erased, while the contracts, invoices, payments and audit trail stay, reaching nobody."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import translation

from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.audit.services import audit_log
from parcauto.billing.models import Invoice, Refund
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.privacy.errors import ClosureRefused
from parcauto.privacy.export_content import ExportFiles, contracts_section
from parcauto.privacy.models import AccountClosure
from parcauto.privacy.services.closure import account_close, closure_refusals
from parcauto.privacy.services.erasure import account_erase
from parcauto.privacy.services.retention import retention_run
from parcauto.sales.services import subscription_refuse
from parcauto.servicedesk.models import ServiceMessage, ServiceRequest
from parcauto.subscriptions.models import Attachment, Consent, Subscription, WaitingListEntry
from parcauto.subscriptions.services.waitlist import waitlist_join
from parcauto.vehicles.models import Vehicle, VehicleChange
from tests.backoffice.requests import NOW, offer_of, reviewed_draft, submitted_request
from tests.backoffice.test_billing_pages import invoice_for
from tests.factories import UserFactory
from tests.privacy.builders import Holder, person_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def _refused(person: User) -> list[str]:
    with translation.override("fr"), pytest.raises(ClosureRefused) as refused:
        account_close(person=person, organization=person.signup_organization, now=NOW)
    return [str(reason) for reason in refused.value.reasons]


def _nothing_changed(person: User) -> None:
    person.refresh_from_db()
    assert person.is_active
    assert person.has_usable_password()
    assert not AccountClosure.objects.filter(person=person).exists()
    assert Profile.objects.filter(user=person).exists()


# --- Refused, and why ---------------------------------------------------------------


def test_a_contract_in_force_stops_the_closure(marie, organization):
    Subscription.objects.filter(pk=marie.contract.pk).update(status=Subscription.Status.ACTIVE)
    number = marie.contract.contract_number
    assert _refused(marie.person) == [
        f"Votre contrat n°\u00a0{number} (Permis G (général zone 1), CIUSSS de l'Estrie - CHUS)"
        " est encore en vigueur\u00a0: il doit d'abord prendre fin."
    ]
    _nothing_changed(marie.person)


def test_a_request_awaiting_approval_stops_the_closure(marie, offer):
    request = submitted_request(offer, person=marie.person, start=NOW.date())
    (reason,) = _refused(marie.person)
    assert f"demande n°\u00a0{request.contract_number}" in reason
    assert "annulez-la d'abord" in reason
    _nothing_changed(marie.person)


def test_money_owed_stops_the_closure(marie):
    invoice_for(
        marie.contract,
        amount="1234.50",
        status=Invoice.Status.DUE,
        paid_at=None,
        period_start=NOW.date() - dt.timedelta(days=40),
    )
    assert _refused(marie.person) == [
        f"1\u00a0234,50\u00a0$ est dû sur le contrat n°\u00a0{marie.contract.contract_number}"
        " (CIUSSS de l'Estrie - CHUS)."
    ]
    _nothing_changed(marie.person)


def test_a_refund_still_to_pay_stops_the_closure(marie):
    Refund.objects.create(
        organization=marie.invoice.organization,
        invoice=marie.invoice,
        amount=Decimal("20.00"),
        reason="Jours non utilisés",
    )
    (reason,) = _refused(marie.person)
    assert reason.startswith("Un remboursement de 20,00\u00a0$ sur le contrat")


def test_every_reason_is_given_at_once(marie, offer):
    submitted_request(offer, person=marie.person, start=NOW.date())
    invoice_for(
        marie.contract,
        status=Invoice.Status.FAILED,
        paid_at=None,
        period_start=NOW.date() - dt.timedelta(days=40),
    )
    StaffRole.objects.create(
        user=marie.person, role=StaffRole.Role.AGENT, organization=offer.organization
    )
    assert len(closure_refusals(person=marie.person)) == 3


# --- Closed: what goes, what stays ------------------------------------------------------


@pytest.fixture
def closed(marie, jean, offer, after_commit) -> Holder:
    """Marie, with a draft, a session and an audit event quoting her address, closes her
    account; what follows the commit runs (the confirmation, then the erasure)."""
    reviewed_draft(offer, person=marie.person, start=NOW.date() + dt.timedelta(days=5), at=NOW)
    audit_log(
        action="account.email_changed",
        actor=marie.person,
        target=marie.person,
        data={"email": "marie@example.com"},
    )
    with after_commit():
        account_close(person=marie.person, organization=offer.organization, now=NOW)
    marie.person.refresh_from_db()
    return marie


def test_the_confirmation_goes_to_the_address_before_it_is_erased(closed):
    (message,) = [m for m in mail.outbox if m.to == ["marie@example.com"]]
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Votre compte est fermé"
    assert "déconnecté partout" in message.body
    closure = AccountClosure.objects.get(person=closed.person)
    assert closure.erased_at == NOW
    # The one e-mail kept: the proof that it was sent, addressed to nobody.
    assert list(
        OutboundEmail.objects.filter(to__icontains="ferme-").values_list("pk", "status")
    ) == [(closure.confirmation_email_id, OutboundEmail.Status.SENT)]


def test_the_emails_sent_to_an_address_the_account_had_before_are_erased_too(
    marie, offer, after_commit
):
    audit_log(
        action="account.email_changed",
        actor=marie.person,
        target=marie.person,
        data={"email": "marie.t@nouveau.example"},
    )
    OutboundEmail.objects.create(
        from_email="no-reply@parcauto.ca",
        to="marie.t@nouveau.example",
        subject="Votre reçu",
        body_text="Bonjour Marie",
    )
    with after_commit():
        account_close(person=marie.person, organization=offer.organization, now=NOW)
    assert not OutboundEmail.objects.filter(to="marie.t@nouveau.example").exists()
    assert not AuditEvent.objects.filter(data__icontains="marie.t@nouveau.example").exists()


def test_the_account_keeps_no_way_to_reach_the_person(closed):
    person = closed.person
    assert person.email == f"ferme-{person.pk}@compte-ferme.invalid"
    assert not person.is_active
    assert not person.has_usable_password()
    assert not Profile.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not OutboundEmail.objects.filter(to="marie@example.com").exists()
    assert not User.objects.filter(email="marie@example.com").exists()  # free to sign up


def test_vehicles_files_drafts_and_bank_details_are_erased(closed):
    person = closed.person
    assert not Vehicle.objects.filter(owner=person).exists()
    assert not VehicleChange.objects.filter(vehicle_id=closed.vehicle.pk).exists()
    assert not Attachment.objects.filter(subscription=closed.contract).exists()
    assert not Subscription.objects.filter(person=person, status="draft").exists()
    bank = PaymentMethod.objects.get(pk=closed.bank_account.pk)
    assert (bank.bank_transit, bank.bank_account_encrypted, bank.holder_name) == ("", "", "")
    assert not bank.cheque_specimen
    assert not default_storage.exists(closed.bank_account.cheque_specimen.name)
    card = PaymentMethod.objects.get(subscription=closed.contract, kind="card")
    assert card.data_key == ""
    contract = Subscription.objects.get(pk=closed.contract.pk)
    assert (contract.school, contract.internship_discipline) == ("", "")


def test_contracts_invoices_payments_and_the_audit_trail_stay_without_contact_data(closed):
    person = closed.person
    contract = Subscription.objects.get(pk=closed.contract.pk)
    assert contract.person_id == person.pk
    assert contract.contract_number == closed.contract.contract_number
    assert Consent.objects.filter(subscription=contract).count() >= 2
    invoice = Invoice.objects.get(pk=closed.invoice.pk)
    assert (invoice.amount, invoice.status) == (Decimal("114.98"), Invoice.Status.PAID)
    assert PaymentAttempt.objects.filter(invoice=invoice, status="approved").exists()
    # A receipt of $150 or more names its purchaser: the name stays while invoices do.
    assert (person.first_name, person.last_name) == ("Marie", "Tremblay")
    changed = AuditEvent.objects.get(action="account.email_changed", actor=person)
    assert changed.data == {"email": "[effacé]"}
    assert AuditEvent.objects.filter(action="privacy.account_erased", target_id=str(person.pk))
    assert not AuditEvent.objects.filter(data__icontains="marie@example.com").exists()


def test_someone_else_on_the_portal_keeps_everything(closed, jean):
    jean.person.refresh_from_db()
    assert jean.person.email == "jean@example.com"
    assert Vehicle.objects.filter(owner=jean.person).count() == 1
    assert Attachment.objects.filter(subscription=jean.contract).count() == 1
    assert PaymentMethod.objects.get(pk=jean.bank_account.pk).cheque_specimen
    assert default_storage.exists(jean.bank_account.cheque_specimen.name)


def test_a_person_never_invoiced_keeps_no_name(organization, after_commit):
    person = person_make("luc@example.com", first_name="Luc", last_name="Gagnon")
    User.objects.filter(pk=person.pk).update(first_name="Luc", last_name="Gagnon")
    with after_commit():
        account_close(person=person, organization=organization, now=NOW)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("", "")


def test_every_session_ends(marie, organization, after_commit):
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(marie.person)
    assert client.get("/tableau-de-bord/").status_code == 200
    with after_commit():
        account_close(person=marie.person, organization=organization, now=NOW)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_closing_twice_or_erasing_twice_changes_nothing_more(closed, offer):
    closure = AccountClosure.objects.get(person=closed.person)
    assert account_close(person=closed.person, organization=offer.organization, now=NOW) == closure
    assert account_erase(closure_id=closure.pk, now=NOW) is False
    assert AuditEvent.objects.filter(action="privacy.account_erased").count() == 1


def _relay_down():
    return mock.patch("django.core.mail.message.EmailMessage.send", side_effect=OSError("down"))


def test_a_mail_relay_down_leaves_the_erasure_to_the_next_days_job(
    marie, organization, django_capture_on_commit_callbacks, after_commit
):
    with django_capture_on_commit_callbacks(execute=False):  # no worker ran yet
        closure = account_close(person=marie.person, organization=organization, now=NOW)
    with _relay_down():
        assert account_erase(closure_id=closure.pk, now=NOW) is False
    closure.refresh_from_db()
    assert closure.erased_at is None
    marie.person.refresh_from_db()
    assert marie.person.email == "marie@example.com"  # not erased before the message left
    assert not marie.person.is_active  # but closed: nobody signs in
    assert Profile.objects.filter(user=marie.person).exists()

    assert retention_run(now=NOW + dt.timedelta(hours=2), dry_run=True).overall["closures"] == 0
    later = NOW + dt.timedelta(days=1, minutes=1)
    assert retention_run(now=later, dry_run=True).overall["closures"] == 1
    with after_commit():
        assert retention_run(now=later, dry_run=False).overall["closures"] == 1
    closure.refresh_from_db()
    assert closure.erased_at == later
    assert [m.to for m in mail.outbox if "fermé" in m.subject] == [["marie@example.com"]]


def test_a_relay_down_for_days_holds_the_erasure_back_three_days_at_most(
    marie, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        closure = account_close(person=marie.person, organization=organization, now=NOW)
    with _relay_down():
        assert account_erase(closure_id=closure.pk, now=NOW + dt.timedelta(days=2)) is False
        assert account_erase(closure_id=closure.pk, now=NOW + dt.timedelta(days=3)) is True
    marie.person.refresh_from_db()
    assert marie.person.email.endswith("@compte-ferme.invalid")
    assert mail.outbox == []
    # Unsent, it is gone with the rest: no retry ever sends it on.
    assert not OutboundEmail.objects.filter(pk=closure.confirmation_email_id).exists()


def test_a_place_offered_on_a_waiting_list_passes_to_the_next_person(
    marie, jean, organization, after_commit
):
    sold_out = offer_of(
        organization, lot_number="1086", product_number="5570", category_name="Employé", quantity=1
    )
    taken = submitted_request(sold_out, start=NOW.date())
    for person in (marie.person, jean.person):
        waitlist_join(
            person=person,
            product=sold_out.product,
            lot=sold_out.lot,
            category=sold_out.category,
            now=NOW,
        )
    subscription_refuse(subscription=taken, actor=UserFactory(), reason="Complet", now=NOW)
    assert WaitingListEntry.objects.get(person=marie.person).status == "offered"
    with after_commit():
        account_close(person=marie.person, organization=organization, now=NOW)
    assert not WaitingListEntry.objects.filter(person=marie.person).exists()
    assert WaitingListEntry.objects.get(person=jean.person).status == "offered"


def test_what_the_person_wrote_to_the_service_centre_is_erased_but_the_request_stays(
    marie, offer, after_commit
):
    request = ServiceRequest.objects.create(
        organization=offer.organization,
        number=390_001,
        kind=ServiceRequest.Kind.REPORT,
        person=marie.person,
        lot=offer.lot,
        contact_email="marie@example.com",
        full_name="Marie Tremblay",
        subject="Barrière en panne",
        text="Je suis Marie, mon cellulaire est le 819 555-0101.",
        due_at=NOW + dt.timedelta(days=2),
    )
    ServiceMessage.objects.create(
        organization=offer.organization,
        request=request,
        kind=ServiceMessage.Kind.CUSTOMER,
        author=marie.person,
        body="Merci de me rappeler au 819 555-0101.",
    )
    exported = contracts_section(marie.person, ExportFiles())
    [institution] = exported["institutions"]
    [row] = institution["requests"]
    assert (row["number"], row["text"]) == (390_001, request.text)
    assert [m["body"] for m in row["messages"]] == ["Merci de me rappeler au 819 555-0101."]

    with after_commit():
        account_close(person=marie.person, organization=offer.organization, now=NOW)

    request.refresh_from_db()
    assert (request.number, request.kind, request.state) == (390_001, "report", request.state)
    assert "819" not in request.text + request.subject + request.full_name
    assert request.contact_email != "marie@example.com"
    assert list(request.messages.values_list("body", flat=True)) == ["[effacé]"]
