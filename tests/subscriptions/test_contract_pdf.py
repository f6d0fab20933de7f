"""The contract PDF: letter pages, shipped fonts, no remote fetch, everything the guide shows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from parcauto.sales import services as lifecycle
from parcauto.subscriptions import contract
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import LegalText
from tests.factories import UserFactory
from tests.subscriptions.conftest import NOW, draft_until_payment, submit

pytestmark = pytest.mark.django_db

LETTER = (612, 792)  # points: 8.5 x 11 in


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # One line of text per line of the page, spaces normalised (no-break spaces included).
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def approved(offer, person) -> Subscription:
    organization = offer.product.organization
    organization.gst_number = "123456789 RT0001"
    organization.qst_number = "1234567890 TQ0001"
    organization.save()
    offer.product.price = Decimal("1234.50")
    offer.product.cancellation_notice_days = 30
    offer.product.save()
    LegalText.objects.create(
        organization=organization,
        kind=LegalText.Kind.PAYMENT_CONDITIONS,
        version=2,
        body_fr="Les paiements sont prélevés le 1er de chaque mois.",
        body_en="Payments are collected on the 1st of each month.",
        published_at=NOW,
    )
    profile = person.profile
    profile.first_name, profile.last_name = "John", "Tremblay"
    profile.work_phone, profile.work_phone_ext = "+18195550000", "42"
    profile.save()
    draft = draft_until_payment(offer, person, end=None)
    Subscription.objects.filter(pk=draft.pk).update(end_date=None)
    draft.refresh_from_db()
    request = submit(draft)
    return lifecycle.subscription_approve(
        subscription=request, actor=UserFactory(email="agent@parcauto.test"), now=NOW
    )


def test_the_contract_is_a_letter_size_pdf_with_the_shipped_fonts(approved):
    pdf = contract.contract_pdf(approved, "fr")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == LETTER
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # Embedded under the @font-face family name: no system font was used as a fallback.
    assert {name.split("+", 1)[1] for name in fonts} == {"Parcauto-Sans", "Parcauto-Sans-Bold"}


def test_the_french_contract_says_who_what_where_and_how_much(approved):
    text = _text(contract.contract_pdf(approved, "fr"))
    number = approved.contract_number
    for expected in [
        "Société Parc-Auto du Québec",
        "CIUSSS de l'Estrie - CHUS",
        f"Contrat d'abonnement no {number}",
        "Date d'émission : 1er juin 2026",
        "John Tremblay",
        "375 rue Argyll",
        "Sherbrooke (QC) J1J 3H5",
        "john@example.com",
        "(819) 555-0000, poste 42",
        "1085 - CIUSSS de l'Estrie - CHUS",
        f"{approved.product.number} - {approved.product.name_fr}",
        "Mensuel",
        "1 234,50 $",
        "taxes incluses (par mois)",
        "TPS (5 %) 53,69 $",
        "TVQ (9,975 %) 107,10 $",
        "Prix avant taxes 1 073,71 $",
        "123456789 RT0001",
        "1234567890 TQ0001",
        "Début de l'abonnement 1er juin 2026",
        "Fin de l'abonnement Indéterminée",
        "Carte de crédit",
        "30 jours",
        "Conditions d'abonnement (version 3)",
        "Les paiements sont prélevés le 1er de chaque mois.",
    ]:
        assert expected in text, expected
    plate = approved.vehicles.get().plate
    assert f"{plate} (QC) Acura NSX 2021 Rouge" in text


def test_the_english_copy_is_in_english_with_english_money(approved):
    text = _text(contract.contract_pdf(approved, "en"))
    assert f"Subscription contract no. {approved.contract_number}" in text
    assert "$1,234.50" in text
    assert "GST (5%) $53.69" in text
    assert "Open-ended" in text
    assert "Payments are collected on the 1st of each month." in text
    assert "at your express request" in text


def test_an_exempt_product_shows_no_tax_lines(approved):
    approved.taxable = False
    approved.save()
    text = _text(contract.contract_pdf(approved, "fr"))
    assert "TPS" not in text.replace("n'est pas assujetti à la TPS", "")
    assert "1 234,50 $" in text


def test_a_later_catalog_change_never_alters_the_contract(approved):
    approved.product.taxable = False
    approved.product.save()
    text = _text(contract.contract_pdf(approved, "fr"))
    assert "TPS (5" in text


def test_a_french_speaking_person_gets_the_french_contract_only(approved):
    attachments = contract.contract_attachments(approved)
    assert [a.filename for a in attachments] == [f"contrat-{approved.contract_number}.pdf"]
    assert attachments[0].mimetype == "application/pdf"


def test_an_english_speaking_person_gets_the_french_contract_and_an_english_copy(approved):
    approved.language = "en"
    attachments = contract.contract_attachments(approved)
    assert [a.filename for a in attachments] == [
        f"contrat-{approved.contract_number}.pdf",
        f"contract-{approved.contract_number}-en.pdf",
    ]
    assert "Contrat d'abonnement" in _text(attachments[0].content)
    assert "Subscription contract" in _text(attachments[1].content)


def test_the_renderer_refuses_any_remote_fetch():
    html = '<img src="https://example.com/logo.png"><p>x</p>'
    with pytest.raises(FatalURLFetchingError, match=r"https://example\.com/logo\.png") as error:
        contract.render_pdf(html)
    assert isinstance(error.value.__cause__, contract.RemoteFetchRefused)


def test_the_renderer_refuses_local_files_other_than_the_fonts():
    with pytest.raises(FatalURLFetchingError, match=r"/etc/passwd") as error:
        contract.render_pdf('<link rel="stylesheet" href="file:///etc/passwd">')
    assert isinstance(error.value.__cause__, contract.RemoteFetchRefused)


def test_a_draft_has_no_contract(offer, person):
    draft = draft_until_payment(offer, person)
    with pytest.raises(ValueError, match="draft"):
        contract.contract_pdf(draft, "fr")


def test_only_french_and_english_contracts_exist(approved):
    with pytest.raises(ValueError, match="French or English"):
        contract.contract_pdf(approved, "es")
