"""PAYER UN AVIS DE RÉCLAMATION: the look-up that says nothing of which half is wrong, its
rate limits, the notice's page and photos for the visitor who found it only, the payment
and its receipt, and the contest."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.payments.gateways.sandbox import sandbox_card_tokenize
from parcauto.servicedesk.models import ServiceRequest
from tests.enforcement.notices import notice_make, photo_make
from tests.factories import ProfileFactory, UserFactory
from tests.pages import NBSP, PDF, page, text

NOW = dt.datetime(2026, 7, 2, 12, 0, tzinfo=dt.UTC)  # before the due date (10 July)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
LOOKUP = "/avis-de-reclamation/"
HOST = "chus.testserver"
NO_MATCH = "Aucun avis ne correspond à ce numéro et à cette plaque."


@pytest.fixture(autouse=True)
def _small_limits(settings) -> None:
    settings.PARCAUTO_RATE_LIMITS = {
        **settings.PARCAUTO_RATE_LIMITS,
        "notice_lookup": "5/15m/ip,3/h/key",
    }


@pytest.fixture
def notice(organization) -> ClaimNotice:
    organization.gst_number = "123456789RT0001"
    organization.qst_number = "1234567890TQ0001"
    organization.save(update_fields=["gst_number", "qst_number"])
    return notice_make(organization)


def _find(client: Client, number: str, plate: str, **extra: str):
    return client.post(LOOKUP, {"number": number, "plate": plate}, **extra)


def _detail(notice: ClaimNotice) -> str:
    return f"{LOOKUP}{notice.number}/"


def _opened(notice: ClaimNotice) -> Client:
    client = Client(HTTP_HOST=HOST)
    assert _find(client, notice.number, "abc 123").status_code == 302
    return client


def test_a_wrong_number_or_a_wrong_plate_gets_the_same_answer(portal_client, notice) -> None:
    wrong_plate = _find(portal_client, notice.number, "XYZ999")
    wrong_number = _find(portal_client, str(int(notice.number) + 10)[:-1] + "0", "ABC123")
    unknown = _find(portal_client, "79927398713", "ABC123")  # a valid check digit, no notice
    answers = [text(response) for response in (wrong_plate, wrong_number, unknown)]
    assert all(NO_MATCH in words for words in answers)
    assert len({re.sub(r"\d{6,}", "#", words) for words in answers}) == 1
    assert portal_client.get(_detail(notice)).status_code == 302  # still closed


def test_the_right_pair_opens_the_notice_and_the_qr_code_fills_the_number(
    portal_client, notice
) -> None:
    prefilled = portal_client.get(f"{LOOKUP}?numero={notice.number}")
    assert f'value="{notice.number}"' in page(prefilled)
    found = _find(portal_client, f" {notice.number[:3]}-{notice.number[3:]} ", "abc-123")
    assert found["Location"] == _detail(notice)
    words = text(portal_client.get(_detail(notice)))
    for expected in (
        f"Avis de réclamation n° {notice.number}",
        "ABC123 (QC)",
        f"Montant avant taxes 40,00{NBSP}$",
        f"TPS 2,00{NBSP}$",
        f"TVQ 3,99{NBSP}$",
        f"Montant dû aujourd'hui 45,99{NBSP}$",
        "10 juillet 2026",
    ):
        assert expected in words, expected


def test_another_visitor_is_sent_to_the_look_up_whatever_the_number(portal_client, notice) -> None:
    photo = photo_make(notice)
    for url in (
        _detail(notice),
        f"{_detail(notice)}photos/{photo.pk}/",
        f"{_detail(notice)}recu.pdf",
        f"{LOOKUP}79927398713/",
    ):
        response = portal_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOOKUP), url
    other = Client(HTTP_HOST="cisso.testserver")
    assert other.get(_detail(notice)).status_code in (302, 404)


def test_wrong_pairs_are_limited_per_notice_number_and_per_address(portal_client, notice) -> None:
    for _ in range(3):
        assert _find(portal_client, notice.number, "XYZ999").status_code == 200
    refused = _find(portal_client, notice.number, "ABC123")  # even the right plate now
    assert refused.status_code == 429 and "Trop de tentatives" in text(refused)
    # Another address is limited on this number too; other numbers still answer.
    elsewhere = Client(HTTP_HOST=HOST, REMOTE_ADDR="10.0.0.9")
    assert _find(elsewhere, notice.number, "ABC123").status_code == 429
    assert _find(elsewhere, "79927398713", "ABC123").status_code == 200
    for _ in range(2):  # the 4th and 5th wrong pairs from this address
        assert _find(portal_client, "79927398713", "ABC123").status_code == 200
    assert _find(portal_client, "79927398713", "ABC123").status_code == 429


def test_a_photo_is_served_without_its_location(notice) -> None:
    photo = photo_make(notice)
    stored = Image.open(photo.image.open("rb"))
    assert stored.getexif().get_ifd(0x8825)  # the stored copy has its GPS
    response = _opened(notice).get(f"{_detail(notice)}photos/{photo.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    served = Image.open(io.BytesIO(response.content))
    assert not served.getexif() and "exif" not in served.info


def test_paying_on_the_page_gives_a_receipt_whose_taxes_add_up_and_a_second_is_refused(
    notice,
) -> None:
    client = _opened(notice)
    token = sandbox_card_tokenize(number="4242424242424242", expiry="3012").token
    paid = client.post(
        f"{_detail(notice)}payer/", {"card_token": token, "email": "marie@example.com"}
    )
    assert paid["Location"] == _detail(notice)
    notice.refresh_from_db()
    assert notice.state == ClaimNotice.State.PAID
    words = text(client.get(_detail(notice)))
    assert "Cet avis est payé." in words and "Télécharger le reçu" in words
    receipt = client.get(f"{_detail(notice)}recu.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    pdf = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages).split()
    ).replace(NBSP, " ")
    for expected in (
        "Numéro d'inscription à la TPS 123456789RT0001",
        "Numéro d'inscription à la TVQ 1234567890TQ0001",
        "Montant avant taxes 40,00",
        "TPS (5 %) 2,00",
        "TVQ (9,975 %) 3,99",
        "Total (taxes incluses) 45,99",
        "Montant payé 45,99",
    ):
        assert expected in pdf, expected
    again = sandbox_card_tokenize(number="4242424242424242", expiry="3012").token
    second = client.post(f"{_detail(notice)}payer/", {"card_token": again}, follow=True)
    assert "Cet avis a déjà été payé" in text(second)
    assert NoticePayment.objects.filter(notice=notice).count() == 1


def test_a_declined_card_shows_on_the_page_and_charges_nothing(notice) -> None:
    client = _opened(notice)
    token = sandbox_card_tokenize(number="4000000000000341", expiry="3012").token
    response = client.post(f"{_detail(notice)}payer/", {"card_token": token})
    assert response.status_code == 200
    assert "L'émetteur de votre carte a refusé le paiement" in text(response)
    notice.refresh_from_db()
    assert notice.state == ClaimNotice.State.ISSUED


def test_a_contest_without_an_account_holds_the_payment(notice) -> None:
    client = _opened(notice)
    response = client.post(
        f"{_detail(notice)}contester/",
        {
            "full_name": "Marie Tremblay",
            "contact_email": "marie@example.com",
            "text": "J'avais mon permis, voici la photo.",
            "attachments": [SimpleUploadedFile("permis.pdf", PDF)],
        },
    )
    assert response["Location"] == _detail(notice)
    notice.refresh_from_db()
    contest = ServiceRequest.objects.get(notice=notice)
    assert (notice.state, contest.kind, contest.person, contest.language) == (
        ClaimNotice.State.CONTESTED,
        ServiceRequest.Kind.CONTEST,
        None,
        "fr",
    )
    assert contest.attachments.count() == 1
    words = text(client.get(_detail(notice)))
    assert "le paiement est suspendu" in words and "Payer par carte de crédit" not in words


def test_a_contest_with_a_file_that_is_not_what_it_says_is_refused_whole(notice) -> None:
    client = _opened(notice)
    response = client.post(
        f"{_detail(notice)}contester/",
        {
            "full_name": "Marie Tremblay",
            "contact_email": "marie@example.com",
            "text": "Voir la pièce jointe.",
            "attachments": [SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo")],
        },
    )
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.state == ClaimNotice.State.ISSUED
    assert not ServiceRequest.objects.exists()


def test_the_menu_offers_the_page_to_visitors_and_to_customers(portal_client) -> None:
    for client in (portal_client, _signed_in()):
        words = text(client.get(LOOKUP))
        assert "PAYER UN AVIS DE RÉCLAMATION" in words
    assert LOOKUP in page(portal_client.get("/accounts/login/"))


def _signed_in() -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(ProfileFactory(user=UserFactory()).user)
    return client
