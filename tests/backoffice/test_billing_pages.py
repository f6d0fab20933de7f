"""The operator's billing pages: runs and their progress, failed payments to follow up,
collection files and their audited download, an invoice's page.

Invoices, attempts, files and runs are made directly with the ORM: these pages only read
them. `billing_data` (CHUS and CISSSO, one of each) is shared with the other
`test_billing_*` modules.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingRun, Invoice
from parcauto.core.money import split_taxes
from parcauto.payments.models import CollectionFile, PaymentAttempt, PaymentMethod
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from tests.backoffice.conftest import signed_in
from tests.backoffice.requests import NOW, TODAY, offer_of, submitted_request
from tests.backoffice.staff import staff_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
BILLING = "/gestion/facturation/"
CPA005_BYTES = b"A000000001PARCAUTO" + b" " * 40 + b"\r\n"

# --- Building billing rows ----------------------------------------------------------------

_numbers = itertools.count(70_000)
_orders = itertools.count(1)


def contract(organization: Organization, **offer: Any) -> Subscription:
    return submitted_request(offer_of(organization, **offer))


def invoice_for(
    subscription: Subscription,
    *,
    amount: str = "114.98",
    status: str = Invoice.Status.PAID,
    paid_at: dt.datetime | None = NOW,
    period_start: dt.date = TODAY,
    **fields: Any,
) -> Invoice:
    split = split_taxes(amount)
    paid = status == Invoice.Status.PAID
    return Invoice.objects.create(
        organization_id=subscription.organization_id,
        number=next(_numbers),
        subscription=subscription,
        period_start=period_start,
        period_end=period_start + dt.timedelta(days=29),
        due_date=period_start,
        payment_method="card",
        amount=Decimal(amount),
        pre_tax=split.pre_tax,
        gst=split.gst,
        qst=split.qst,
        amount_paid=Decimal(amount) if paid else Decimal("0.00"),
        status=status,
        paid_at=paid_at if paid else None,
        **fields,
    )


def card_of(subscription: Subscription) -> PaymentMethod:
    method, _created = PaymentMethod.objects.get_or_create(
        organization_id=subscription.organization_id,
        subscription=subscription,
        status=PaymentMethod.Status.ACTIVE,
        defaults={
            "person": subscription.person,
            "kind": "card",
            "card_brand": "Visa",
            "card_last4": "4242",
        },
    )
    return method


def attempt_on(
    invoice: Invoice,
    *,
    status: str = PaymentAttempt.Status.DECLINED,
    message: str = "DECLINED",
    kind: str = PaymentAttempt.Kind.PURCHASE,
) -> PaymentAttempt:
    return PaymentAttempt.objects.create(
        organization_id=invoice.organization_id,
        order_id=f"pc-test-{next(_orders)}",
        kind=kind,
        invoice=invoice,
        payment_method=card_of(invoice.subscription),
        amount=invoice.amount,
        status=status,
        message=message,
    )


def collection_file(
    organization: Organization,
    *,
    kind: str = CollectionFile.Kind.CPA005,
    collection_date: dt.date = TODAY,
) -> CollectionFile:
    found = CollectionFile(
        organization=organization,
        kind=kind,
        collection_date=collection_date,
        file_number=7,
        record_count=2,
        total_amount=Decimal("229.96"),
    )
    found.file.save("file.txt", ContentFile(CPA005_BYTES), save=False)
    found.save()
    return found


@dataclass(frozen=True)
class BillingData:
    chus_invoice: Invoice  # paid, with an approved attempt
    chus_failed: Invoice
    cisso_failed: Invoice
    chus_file: CollectionFile
    cisso_file: CollectionFile
    run: BillingRun


@pytest.fixture
def billing_data(organization, other_organization) -> BillingData:
    return billing_rows(organization, other_organization)


def billing_rows(organization: Organization, other_organization: Organization) -> BillingData:
    """For CHUS: a paid invoice, a failed one, a file; for CISSSO: a failed invoice, a file;
    and one finished run."""
    chus, cisso = contract(organization), contract(other_organization)
    paid = invoice_for(chus)
    attempt_on(paid, status=PaymentAttempt.Status.APPROVED, message="APPROVED")
    chus_failed = invoice_for(
        chus,
        period_start=TODAY + dt.timedelta(days=30),
        status=Invoice.Status.FAILED,
        failed_attempts=2,
        next_attempt_on=TODAY + dt.timedelta(days=3),
    )
    attempt_on(chus_failed, message="Carte refusée: fonds insuffisants")
    cisso_failed = invoice_for(cisso, status=Invoice.Status.FAILED, failed_attempts=1)
    attempt_on(cisso_failed, message="Carte expirée")
    return BillingData(
        chus_invoice=paid,
        chus_failed=chus_failed,
        cisso_failed=cisso_failed,
        chus_file=collection_file(organization),
        cisso_file=collection_file(other_organization),
        run=BillingRun.objects.create(
            run_date=TODAY,
            status=BillingRun.Status.FINISHED,
            started_at=NOW,
            finished_at=NOW + dt.timedelta(minutes=3),
            contracts_seen=2,
            invoices_created=4,
            charges_approved=1,
            charges_declined=2,
            files_created=2,
            error="",
        ),
    )


@pytest.fixture
def other_manager(other_organization) -> User:
    return staff_member(Role.MANAGER, other_organization, email="gestionnaire@cisso.example")


def text_of(response) -> str:
    return response.content.decode()


# --- Billing runs ---------------------------------------------------------------------------


def test_operator_admins_see_every_runs_totals(operator, billing_data):
    response = signed_in(operator).get(BILLING)
    assert response.status_code == 200
    page = text_of(response)
    assert [run for run, _mine in response.context["rows"]] == [billing_data.run]
    assert f'href="{BILLING}cycles/{billing_data.run.pk}/"' in page
    assert "Terminée" in page


def test_institution_staff_see_their_institutions_counts_of_the_run_date(manager, billing_data):
    response = signed_in(manager).get(BILLING)
    [(run, mine)] = response.context["rows"]
    assert run == billing_data.run
    # CHUS alone: 2 invoices, 1 approved and 1 declined charge, 1 file (not the run's 4/1/2/2).
    assert mine == {
        "invoices_created": 2,
        "charges_approved": 1,
        "charges_declined": 1,
        "files_created": 1,
    }


def test_a_run_page_lists_the_counts_of_the_institutions_the_staff_member_sees(
    manager, operator, billing_data, organization, other_organization
):
    url = f"{BILLING}cycles/{billing_data.run.pk}/"
    mine = signed_in(manager).get(url).context["institution_counts"]
    assert [c.organization for c in mine] == [organization]
    every = signed_in(operator).get(url).context["institution_counts"]
    assert sorted(c.organization.pk for c in every) == sorted(
        [organization.pk, other_organization.pk]
    )
    assert [c.invoices_created for c in every if c.organization == other_organization] == [1]


def test_only_operator_admins_read_a_runs_error(manager, operator, billing_data):
    BillingRun.objects.filter(pk=billing_data.run.pk).update(
        status=BillingRun.Status.FAILED, error="Passerelle injoignable"
    )
    url = f"{BILLING}cycles/{billing_data.run.pk}/"
    assert "Passerelle injoignable" in text_of(signed_in(operator).get(url))
    assert "Passerelle injoignable" not in text_of(signed_in(manager).get(url))


def test_a_running_run_polls_its_progress_and_a_finished_one_does_not(operator, billing_data):
    run = billing_data.run
    url = f"{BILLING}cycles/{run.pk}/"
    client = signed_in(operator)
    assert "hx-trigger" not in text_of(client.get(url))
    BillingRun.objects.filter(pk=run.pk).update(status=BillingRun.Status.RUNNING, finished_at=None)
    page = text_of(client.get(url))
    assert f'hx-get="{url}" hx-trigger="every 5s" hx-swap="outerHTML"' in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.templates[0].name == "backoffice/billing/_run_progress.html"
    assert text_of(fragment).lstrip().startswith('<div id="run-progress"')
    assert "<html" not in text_of(fragment)
    assert "HX-Request" in fragment["Vary"].split(", ")


def test_a_running_run_says_which_step_it_is_at(operator, billing_data):
    run = billing_data.run
    BillingRun.objects.filter(pk=run.pk).update(
        status=BillingRun.Status.RUNNING, finished_at=None, phase="charge"
    )
    page = text_of(signed_in(operator).get(f"{BILLING}cycles/{run.pk}/"))
    assert "Étape 3 sur 6\u00a0: Perception des paiements" in page
    assert '<progress id="run-step" class="d-block w-100" max="6" value="3">' in page


def test_an_unknown_run_is_a_404(operator):
    assert signed_in(operator).get(f"{BILLING}cycles/999999/").status_code == 404


# --- Failed payments --------------------------------------------------------------------------


def test_failed_payments_list_the_institutions_invoices_to_follow_up(manager, billing_data):
    response = signed_in(manager).get(f"{BILLING}paiements-refuses/")
    assert list(response.context["page"]) == [billing_data.chus_failed]
    page = text_of(response)
    failed = billing_data.chus_failed
    assert f'href="/gestion/demandes/{failed.subscription_id}/"' in page
    assert str(failed.subscription.contract_number) in page
    assert "Carte refusée: fonds insuffisants" in page
    assert "114,98\u00a0$" in page
    assert (TODAY + dt.timedelta(days=3)).isoformat() in page
    assert "Carte expirée" not in page  # CISSSO's


def test_a_payment_sent_over_a_day_ago_without_answer_is_to_follow_up(manager, organization):
    offer = offer_of(organization)
    due = invoice_for(submitted_request(offer), status=Invoice.Status.DUE)
    with time_machine.travel(NOW - dt.timedelta(hours=25), tick=False):
        attempt_on(due, status=PaymentAttempt.Status.SENT, message="")
    recent = invoice_for(submitted_request(offer), status=Invoice.Status.DUE)
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        attempt_on(recent, status=PaymentAttempt.Status.SENT, message="")
    response = signed_in(manager).get(f"{BILLING}paiements-refuses/")
    assert list(response.context["page"]) == [due]
    assert "Pas encore de réponse" in text_of(response)


def test_the_operator_may_narrow_failed_payments_to_one_institution(
    operator, billing_data, other_organization
):
    client = signed_in(operator)
    assert set(client.get(f"{BILLING}paiements-refuses/").context["page"]) == {
        billing_data.chus_failed,
        billing_data.cisso_failed,
    }
    narrowed = client.get(f"{BILLING}paiements-refuses/?organization={other_organization.pk}")
    assert list(narrowed.context["page"]) == [billing_data.cisso_failed]


def test_failed_payments_come_by_next_attempt_those_without_one_last(
    manager, organization, billing_data
):
    offer = offer_of(organization, lot_number="1086", product_number="5570", category_name="B")
    later, none, sooner = (
        invoice_for(
            submitted_request(offer),
            status=Invoice.Status.FAILED,
            next_attempt_on=day,
        )
        for day in (TODAY + dt.timedelta(days=9), None, TODAY + dt.timedelta(days=1))
    )
    response = signed_in(manager).get(f"{BILLING}paiements-refuses/")
    assert list(response.context["page"]) == [sooner, billing_data.chus_failed, later, none]


def test_another_institution_in_the_filter_is_ignored(manager, billing_data, other_organization):
    response = signed_in(manager).get(
        f"{BILLING}paiements-refuses/?organization={other_organization.pk}"
    )
    assert list(response.context["page"]) == [billing_data.chus_failed]


# --- Collection files -------------------------------------------------------------------------


def test_collection_files_list_the_institutions_files(manager, billing_data):
    response = signed_in(manager).get(f"{BILLING}fichiers/")
    assert list(response.context["page"]) == [billing_data.chus_file]
    assert f'href="{BILLING}fichiers/{billing_data.chus_file.pk}/telecharger/"' in text_of(response)


def test_a_collection_file_is_downloaded_as_sent_and_the_download_audited(
    manager, billing_data, organization
):
    found = billing_data.chus_file
    response = signed_in(manager).get(f"{BILLING}fichiers/{found.pk}/telecharger/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CPA005_BYTES
    assert response["Content-Disposition"] == (
        f'attachment; filename="cpa005-chus-{TODAY:%Y-%m-%d}-0007.txt"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="collection_file.downloaded")
    assert (event.actor, event.organization, event.target_id, event.data) == (
        manager,
        organization,
        str(found.pk),
        {"kind": "cpa005", "collection_date": TODAY.isoformat()},
    )


def test_a_payroll_file_is_a_csv(manager, organization):
    found = collection_file(organization, kind=CollectionFile.Kind.PAYROLL)
    response = signed_in(manager).get(f"{BILLING}fichiers/{found.pk}/telecharger/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith(f'retenues-chus-{TODAY:%Y-%m-%d}-0007.csv"')


def test_a_file_gone_from_storage_is_a_404_and_nothing_is_audited(manager, billing_data):
    billing_data.chus_file.file.delete(save=False)
    response = signed_in(manager).get(f"{BILLING}fichiers/{billing_data.chus_file.pk}/telecharger/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="collection_file.downloaded").exists()


# --- Invoices -------------------------------------------------------------------------------


def found(client, query: str = "") -> list[Invoice]:
    return list(client.get(f"{BILLING}factures/?{query}").context["page"])


def test_the_invoice_list_holds_the_institutions_invoices_latest_first(manager, billing_data):
    assert found(signed_in(manager)) == [billing_data.chus_failed, billing_data.chus_invoice]


def test_an_invoice_is_found_by_its_number_its_contract_or_the_persons_email(manager, billing_data):
    client, paid = signed_in(manager), billing_data.chus_invoice
    assert found(client, f"text={paid.number}") == [paid]
    contract_number = paid.subscription.contract_number
    assert found(client, f"text={contract_number}") == [billing_data.chus_failed, paid]
    assert found(client, f"text={paid.subscription.person.email.upper()}") == [
        billing_data.chus_failed,
        paid,
    ]
    assert found(client, "text=personne@nulle.part") == []


def test_invoices_are_filtered_by_status(manager, billing_data):
    client = signed_in(manager)
    assert found(client, "status=paid") == [billing_data.chus_invoice]
    assert found(client, "status=nonsense") == [billing_data.chus_failed, billing_data.chus_invoice]


def test_another_institutions_invoice_is_not_found_by_its_number(manager, billing_data):
    assert found(signed_in(manager), f"text={billing_data.cisso_failed.number}") == []


# --- Invoice page -----------------------------------------------------------------------------


def test_an_invoice_page_shows_its_line_taxes_and_attempts(manager, billing_data):
    invoice = billing_data.chus_failed
    response = signed_in(manager).get(f"{BILLING}factures/{invoice.pk}/")
    assert response.status_code == 200
    page = text_of(response)
    assert f"Facture {invoice.number}" in page
    for amount in ("100,00\u00a0$", "5,00\u00a0$", "9,98\u00a0$", "114,98\u00a0$"):
        assert amount in page
    assert "Carte refusée: fonds insuffisants" in page
    assert response.context["may_refund"] is False  # nothing paid: nothing to give back


def test_the_billing_entry_of_the_menu_is_the_current_one_on_billing_pages(manager):
    page = text_of(signed_in(manager).get(BILLING))
    assert f'class="nav-link active" href="{BILLING}" aria-current="page">Facturation' in page
    assert 'class="nav-link" href="/gestion/demandes/"' in page


def test_the_pages_read_in_english_too(manager, billing_data):
    manager.language = "en"
    manager.save(update_fields=["language"])
    page = text_of(signed_in(manager).get(f"{BILLING}paiements-refuses/"))
    assert "Failed payments" in page
    assert "$114.98" in page


# --- Queries ---------------------------------------------------------------------------------


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["", "paiements-refuses/", "factures/", "fichiers/", "revenus/?first_day=2026-06-01"]
)
def test_a_list_reads_as_many_queries_for_many_rows_as_for_one(manager, organization, path):
    client = signed_in(manager)
    offer = offer_of(organization)

    def add_rows(day: int) -> None:
        invoice = invoice_for(submitted_request(offer), status=Invoice.Status.FAILED)
        attempt_on(invoice)
        invoice_for(invoice.subscription, period_start=TODAY + dt.timedelta(days=30))
        collection_file(organization, collection_date=TODAY + dt.timedelta(days=day))
        BillingRun.objects.create(run_date=TODAY + dt.timedelta(days=day), started_at=NOW)

    add_rows(0)
    queries_for(client, f"{BILLING}{path}")  # the session's first request does a little more
    one = queries_for(client, f"{BILLING}{path}")
    for day in range(1, 6):
        add_rows(day)
    assert queries_for(client, f"{BILLING}{path}") == one
