"""PAYER UN AVIS DE RÉCLAMATION in a real browser, on a phone, without an account:

- the owner finds the notice with its number and plate (a wrong plate says nothing of
  which half is wrong), pays it with the sandbox card, downloads the receipt whose taxes
  add up; the same notice, still open in a second tab, refuses a second payment;
- another notice is contested with a file; the service centre cancels it with a reason
  the contester reads by e-mail, and the notice's page says it is cancelled.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from parcauto.core.clock import local_today, now
from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.servicedesk.models import ServiceRequest
from parcauto.tenants.models import Organization
from tests.backoffice.staff import staff_member
from tests.e2e.support import (
    Portal,
    Steps,
    browser_fetch,
    field,
    heading,
    mail_to,
    pdf_text,
    type_card,
)
from tests.e2e.test_service_desk import staff_sign_in
from tests.enforcement.notices import notice_make, photo_make

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _notice(organization: Organization, plate: str) -> ClaimNotice:
    """Issued yesterday, due in 30 days: no late fee yet."""
    return notice_make(
        organization,
        plate=plate,
        observed_at=now() - dt.timedelta(days=1),
        issued_at=now() - dt.timedelta(days=1),
        due_date=local_today() + dt.timedelta(days=30),
    )


def _find(page: Page, chus: Portal, notice: ClaimNotice, plate: str) -> None:
    page.goto(chus.url("/accounts/login/"), timeout=60_000)  # a busy machine: the first page
    page.get_by_role("link", name="PAYER UN AVIS DE RÉCLAMATION").click()
    expect(heading(page)).to_have_text("Payer un avis de réclamation")
    field(page, "Numéro de l'avis de réclamation").fill(notice.number)
    field(page, "Plaque d'immatriculation").fill(plate)
    page.get_by_role("button", name="Trouver l'avis").click()


def _amount(words: str, label: str) -> Decimal:
    found = re.search(rf"{re.escape(label)} ([\d ]+,\d\d) \$", words.replace(NBSP, " "))
    assert found, label
    return Decimal(found[1].replace(" ", "").replace(",", "."))


def test_the_owner_pays_a_notice_once_and_its_receipt_adds_up(
    page: Page, shot: Steps, chus: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    organization.gst_number, organization.qst_number = "123456789RT0001", "1234567890TQ0001"
    organization.save()
    notice = _notice(organization, "ABC123")
    photo_make(notice)

    _find(page, chus, notice, "XYZ 999")
    expect(page.get_by_role("alert")).to_contain_text(
        "Aucun avis ne correspond à ce numéro et à cette plaque."
    )
    shot("01-wrong-pair")
    field(page, "Plaque d'immatriculation").fill("abc 123")
    page.get_by_role("button", name="Trouver l'avis").click()
    expect(page).to_have_url(chus.pattern(f"/avis-de-reclamation/{notice.number}/"))
    expect(page.get_by_role("img", name="Photo 1 sur 1 du véhicule")).to_be_visible()
    expect(page.locator(".notice-amounts")).to_contain_text(f"45,99{NBSP}$")
    shot("02-notice")
    second_tab = page.context.new_page()
    second_tab.goto(page.url)  # the same notice, left open in another tab

    field(page, "Adresse courriel pour le reçu (facultatif)").fill("marie@example.com")
    type_card(page, "4242424242424242", cardholder="Marie Tremblay")
    shot("03-card")
    page.get_by_role("button", name=f"Payer 45,99{NBSP}$").click()
    # The card is verified, then charged: two calls to the gateway before the answer.
    expect(page.get_by_text("Cet avis est payé.")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("status").first).to_contain_text("votre paiement est approuvé")
    shot("04-paid")
    receipt_url = page.get_by_role("link", name="Télécharger le reçu").get_attribute("href")
    receipt = browser_fetch(page, receipt_url or "")
    assert receipt.status == 200
    (shot.folder / f"{shot.prefix}-05-receipt.pdf").write_bytes(receipt.body)
    words = pdf_text(receipt.body)
    assert "123456789RT0001" in words and "1234567890TQ0001" in words
    pre_tax, gst = _amount(words, "Montant avant taxes"), _amount(words, "TPS (5 %)")
    qst, total = _amount(words, "TVQ (9,975 %)"), _amount(words, "Total (taxes incluses)")
    assert pre_tax + gst + qst == total == _amount(words, "Montant payé") == Decimal("45.99")
    (email,) = mail_to("marie@example.com")
    assert email.attachments and email.attachments[0][0] == f"recu-avis-{notice.number}.pdf"

    type_card(second_tab, "4242424242424242", cardholder="Marie Tremblay")
    second_tab.get_by_role("button", name=f"Payer 45,99{NBSP}$").click()
    expect(second_tab.get_by_text("Cet avis a déjà été payé")).to_be_visible(timeout=30_000)
    assert NoticePayment.objects.filter(notice=notice).count() == 1
    second_tab.screenshot(path=shot.folder / f"{shot.prefix}-06-second-refused.png", full_page=True)
    shot.assert_all_french()


def test_a_contest_cancels_another_notice_by_the_service_centres_decision(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    chus: Portal,
    root: Portal,
    tmp_path: Path,
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    notice = _notice(organization, "GHJ456")
    agent = staff_member("agent", organization, email="agent@chus.example")
    proof = tmp_path / "permis.pdf"
    proof.write_bytes(PDF)

    _find(page, chus, notice, "GHJ456")
    page.get_by_role("link", name="Contester cet avis").click()
    expect(heading(page)).to_have_text("Contester un avis de réclamation")
    field(page, "Nom complet").fill("Luc Gagnon")
    field(page, "Votre adresse courriel").fill("luc@example.com")
    field(page, "Pourquoi contestez-vous cet avis ?".replace(" ?", f"{NBSP}?")).fill(
        "Mon permis était affiché; il est joint."
    )
    field(page, "Pièces jointes (facultatif, jusqu'à 3)").set_input_files(proof)
    shot("01-contest")
    page.get_by_role("button", name="Envoyer la contestation").click()
    expect(page.get_by_text("Votre contestation n°")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Cet avis est contesté")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Payer"))).to_have_count(0)
    shot("02-held")

    contest = ServiceRequest.objects.get(notice=notice)
    staff_sign_in(staff_page, root, agent.email)
    staff_page.get_by_role("link", name=str(contest.number), exact=True).click()
    expect(staff_page.get_by_text(notice.number).first).to_be_visible()
    staff_page.get_by_role("combobox", name="Décision").select_option(
        label="Annuler l'avis (rien n'est dû)"
    )
    staff_page.get_by_label("Motif de la décision (envoyé à la personne)").fill(
        "Votre permis était valide ce jour-là."
    )
    staff_shot("01-decide")
    staff_page.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Avis annulé")
    staff_shot("02-decided")

    notice.refresh_from_db()
    assert notice.state == ClaimNotice.State.CANCELLED
    _received, decision = mail_to("luc@example.com", count=2)
    assert "Votre permis était valide ce jour-là." in decision.body
    shot.email(decision, "03-decision-email")
    page.reload()
    expect(page.get_by_text("Cet avis est annulé")).to_be_visible()
    shot("04-cancelled")
    shot.assert_all_french()
    staff_shot.assert_all_french()
