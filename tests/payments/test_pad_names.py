"""Issue 9, finding 3: a holder name the CPA-005 file cannot carry (`王小明`) is refused at
the payment step, and one already stored fails its own debit, never the billing run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingRun, Invoice
from parcauto.billing.services.run import billing_run
from parcauto.payments.cpa005 import plain_ascii, text_refused
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.models import CollectionFile, PaymentAttempt, PaymentMethod
from parcauto.payments.services.pad import pad_method_record
from parcauto.subscriptions.errors import FieldErrors
from tests.backoffice.conftest import signed_in
from tests.backoffice.staff import staff_member
from tests.billing.conftest import at
from tests.pages import text
from tests.scoping import within_its_institution

from .conftest import NOW, PDF_BYTES, upload
from .cpa005_parser import parse
from .factories import (
    COLLECTION_DATE,
    contract_make,
    invoice_make,
    originator_make,
    pad_agreement_make,
    pad_contract_make,
)

pytestmark = pytest.mark.django_db

LATIN_ONLY = (
    "Écrivez le nom en lettres latines, comme votre banque l'écrit\u00a0: lettres avec ou "
    "sans accents, chiffres, espaces et ponctuation seulement"
)


# --- what the file carries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("王小明", ["王", "小", "明"]),
        ("Wang 王小明", ["王", "小", "明"]),
        ("Zoë 😀", ["😀"]),
        ("\u0410\u043d\u043d\u0430", ["\u0410", "\u043d", "\u0430"]),  # Cyrillic
        ("Ann\u200be", ["\u200b"]),  # a zero-width space would vanish unseen
        ("Hélène Côté-Lévesque", []),
        ("Œdipe Ørsted Łukasz Straße", []),
        ("Marie\u2019s O\u2019Neil & fils inc.", []),
    ],
)
def test_the_file_says_which_characters_it_cannot_carry(name: str, refused: list[str]) -> None:
    assert text_refused(name) == refused


def test_what_it_carries_is_transliterated() -> None:
    assert plain_ascii("Œdipe Ørsted Łukasz Straße") == "OEDIPE ORSTED LUKASZ STRASSE"


# --- at the form ---------------------------------------------------------------------------


@pytest.fixture
def contract(organization):
    pad_agreement_make(organization)
    return contract_make(organization)


def _record(contract, holder_name: str) -> PaymentMethod:
    return pad_method_record(
        subscription=contract,
        institution="815",
        transit="30001",
        account="1234567",
        holder_name=holder_name,
        holder_kind=PaymentMethod.HolderKind.PERSONAL,
        cheque_file=upload("specimen.pdf", PDF_BYTES),
        agreement_accepted=True,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("holder_name", "message"),
    [
        ("王小明", f"{LATIN_ONLY} (pas 王 小 明)."),
        ("Wang 王", f"{LATIN_ONLY} (pas 王)."),
        ("Ann\u200be", f"{LATIN_ONLY} (pas U+200B)."),
        ("12345", f"{LATIN_ONLY}."),
        ("Œ" * 16, "Le nom du titulaire du compte compte au plus 30 caractères."),
    ],
)
def test_a_name_the_bank_file_cannot_carry_is_refused_and_says_what_is_allowed(
    contract, holder_name: str, message: str
) -> None:
    with pytest.raises(FieldErrors) as refused:
        _record(contract, holder_name)
    assert {field: str(error) for field, error in refused.value.errors.items()} == {
        "holder_name": message
    }
    assert not PaymentMethod.objects.exists()


def test_accented_and_other_latin_names_are_accepted_as_typed(contract) -> None:
    method = _record(contract, "  Zoë  Łukasz-Ørsted ")
    assert method.holder_name == "Zoë Łukasz-Ørsted"


# --- in the billing run --------------------------------------------------------------------


@within_its_institution
def _file_of(organization) -> list[tuple[str, str]]:
    collection = CollectionFile.objects.get(organization=organization)
    with collection.file.open("rb") as stored:
        parsed = parse(stored.read().decode("ascii"))
    return [
        (segment.payor_name.strip(), segment.cross_reference.strip())
        for detail in parsed.details
        for segment in detail.segments
    ]


def test_a_bad_stored_name_fails_its_own_debit_and_every_other_file_is_written(
    organization, other_organization
) -> None:
    for institution in (organization, other_organization):
        pad_agreement_make(institution)
        originator_make(institution)
    helene, marc, wang = (
        invoice_make(
            pad_contract_make(organization, first_name=first, last_name=last, account=account),
            due=COLLECTION_DATE,
        )
        for first, last, account in (
            ("Hélène", "Côté", "123456789012"),
            ("Marc", "Roy", "7654321"),
            ("Xiaoming", "Wang", "7777777"),
        )
    )
    other = invoice_make(
        pad_contract_make(
            other_organization, first_name="Anne", last_name="Roy", account="1111111"
        ),
        due=COLLECTION_DATE,
    )
    # Stored before the payment step checked names (or changed since): the file cannot
    # carry a single letter of it.
    PaymentMethod.objects.filter(subscription=wang.subscription).update(holder_name="王小明")

    run = billing_run(
        run_date=COLLECTION_DATE, now=at(COLLECTION_DATE, 3), gateway=SandboxGateway()
    )

    assert (run.status, run.error, run.files_created) == (BillingRun.Status.FINISHED, "", 2)
    assert _file_of(organization) == [
        ("HELENE COTE", f"PAD{helene.number}-1"),
        ("MARC ROY", f"PAD{marc.number}-1"),
    ]
    assert _file_of(other_organization) == [("ANNE ROY", f"PAD{other.number}-1")]
    wang.refresh_from_db()
    assert (wang.status, wang.failed_attempts) == (Invoice.Status.FAILED, 1)
    assert wang.next_attempt_on is not None  # tried again on the institution's schedule
    attempt = PaymentAttempt.objects.get(invoice=wang)
    assert (attempt.order_id, attempt.status, attempt.collection_file) == (
        f"PAD{wang.number}-1",
        PaymentAttempt.Status.FAILED,
        None,
    )
    reason = (
        "Not sent to the bank: the account holder's name cannot be written in the CPA-005 file."
    )
    assert attempt.message == reason
    event = AuditEvent.objects.get(action="payments.pad_debit_not_sent")
    assert event.data["field"] == "payor_name"

    # The institution's staff find it with the reason in the failed payments.
    manager = staff_member(StaffRole.Role.MANAGER, organization)
    response = signed_in(manager).get("/gestion/facturation/paiements-refuses/")
    assert list(response.context["page"]) == [wang]
    assert reason in text(response)


def test_an_account_number_never_reaches_the_reason(organization) -> None:
    pad_agreement_make(organization)
    originator_make(organization)
    invoice = invoice_make(
        pad_contract_make(organization, first_name="Marc", last_name="Roy", account="7654321"),
        due=COLLECTION_DATE,
    )
    # A stored number the file refuses (too short): its digits must not be shown.
    PaymentMethod.objects.filter(subscription=invoice.subscription).update(bank_transit="123")
    billing_run(run_date=COLLECTION_DATE, now=at(COLLECTION_DATE, 3), gateway=SandboxGateway())
    attempt = PaymentAttempt.objects.get(invoice=invoice)
    assert attempt.message == (
        "Not sent to the bank: the transit number cannot be written in the CPA-005 file."
    )
    assert not CollectionFile.objects.exists()
    assert dt.date(2026, 7, 1) < Invoice.objects.get(pk=invoice.pk).next_attempt_on


# --- the institution's own settings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"destination_data_centre": "81A10"},
            "destination_data_centre",
            "Le fichier CPA-005 de la banque ne peut pas contenir cette valeur "
            "(destination_data_centre must be 5 digits (ASCII)).",
        ),
        (
            {"short_name": "Stationnem. ŒŒŒ"},  # 15 typed, 18 once each Œ is OE
            "short_name",
            "Le fichier CPA-005 de la banque ne peut pas contenir cette valeur "
            "(short_name is longer than 15 characters: 'STATIONNEM. OEOEOE').",
        ),
        (
            {"long_name": "Société des parcs Œ-Ø 停车"},
            "long_name",
            "Le fichier de la banque ne contient que des lettres latines, pas 停 车.",
        ),
    ],
)
def test_originator_settings_the_file_cannot_carry_are_refused_when_entered(
    organization, changes: dict[str, str], field: str, message: str
) -> None:
    originator = originator_make(organization)
    originator.full_clean()  # the settings as made are fine
    for name, value in changes.items():
        setattr(originator, name, value)
    with pytest.raises(ValidationError) as refused:
        originator.full_clean()
    assert refused.value.message_dict == {field: [message]}
