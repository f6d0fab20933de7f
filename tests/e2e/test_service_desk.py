"""After the sale, in a real browser (customers on a phone, staff on a desktop):

- a modification request with an attachment, after the portal refused one carrying a card
  number (and kept nothing of it);
- a cancellation at the earliest date the notice clause allows, confirmed by the
  service centre; the clock moves to the 1st (the last period is billed to the day), then
  past the last day: the contract ends, the final account is e-mailed and the unit goes
  to the next person on the waiting list, who takes it;
- a report of a gate out of order, answered by staff, the answer read by the customer.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from parcauto.billing.models import Invoice
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import PermitProduct
from parcauto.core.clock import LOCAL_TZ
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.contract_end import contracts_end_due
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from parcauto.tenants.models import Organization
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.billing.conftest import contract
from tests.e2e.conftest import PHONE, _open_page
from tests.e2e.support import (
    Portal,
    Steps,
    card_number_traces,
    field,
    field_error,
    heading,
    mail_to,
    staff_log_in,
    type_card,
    vehicle_fill,
)
from tests.e2e.test_subscription_journeys import (
    PASSWORD,
    PROOF_PDF,
    choose_offer,
    log_in,
    open_menu_link,
)
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
)

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"
CARD = "4242 4242 4242 4242"
PNG = (  # a 1x1 pixel
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
# Wednesday 10 June 2026 in Quebec: the earliest last day is 10 July (30 days' notice).
NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=LOCAL_TZ)


def product_of(slug: str, *, quantity: int | None = None) -> PermitProduct:
    organization = Organization.objects.get(slug=slug)
    lot = ParkingLotFactory(organization=organization, number="1534", name="Hôpital de Hull")
    category = UserCategoryFactory(organization=organization, name_fr="Employé du CISSSO")
    return PermitProductFactory(
        organization=organization,
        number="5432",
        name_fr="Permis multisites - Employé CISSSO",
        price=Decimal("62.00"),
        quantity=quantity,
        units_taken=0,
        cancellation_notice_days=30,
        lots=[lot],
        categories=[category],
    )


def holder_of(product: PermitProduct) -> Subscription:
    """An active card contract since 1 April, open-ended."""
    return contract(product, start=dt.date(2026, 4, 1))


def portal_link(message, prefix: str) -> str:
    """The path of the one link to the institution's portal host under `prefix` (e-mails
    link to the portal's real address, https and no port: the live server has another)."""
    (path,) = set(re.findall(rf"https://[a-z-]+\.localhost({prefix}[^\s<>\"]*)", message.body))
    return path


def staff_sign_in(page: Page, root: Portal, email: str) -> None:
    staff_log_in(page, root, email, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(root.pattern("/admin/"))
    page.goto(root.url("/gestion/service/"))
    expect(heading(page)).to_have_text("Centre de services")


def open_my_subscription(page: Page, portal: Portal, subscription: Subscription) -> None:
    open_menu_link(page, "MON ABONNEMENT")
    expect(page).to_have_url(portal.pattern(f"/abonnements/{subscription.pk}/"))


def test_a_modification_with_a_file_after_a_refused_card_number(
    page: Page, shot: Steps, chus: Portal, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = holder_of(product_of("ciusse-chus"))
    person = subscription.person
    letter = tmp_path / "lettre-changement.pdf"
    letter.write_bytes(PROOF_PDF)

    log_in(page, chus, person.email)
    open_my_subscription(page, chus, subscription)
    page.get_by_role("link", name="Transmettre une demande de modification").click()
    expect(page).to_have_url(chus.pattern(f"/abonnements/{subscription.pk}/modification/"))
    expect(heading(page)).to_have_text("Transmettre une demande de modification")
    # Guide 001: the yellow box, the prefilled fields, the fixed subject, the warning.
    note = page.get_by_role("note")  # shown in capitals, as the guide's yellow box
    expect(note).to_contain_text("Seules les demandes de changement de catégorie de permis")
    expect(note.locator("strong")).to_have_css("text-transform", "uppercase")
    expect(field(page, "Votre adresse courriel")).to_have_value(person.email)
    expect(field(page, "Nom complet")).to_have_value("Marie Tremblay")
    expect(field(page, "Sujet")).to_have_value(
        f"Demande de modification: contrat: {subscription.contract_number}"
    )
    expect(page.get_by_text("Ne transmettez pas votre numéro de carte de crédit")).to_be_visible()
    shot("01-modification-form")

    comments = field(page, "Commentaires")
    comments.fill(f"Ma carte a changé, la voici : {CARD}. Je veux le permis G dès août.")
    field(page, "Joindre une pièce jointe (optionnel)").set_input_files(letter)
    page.get_by_role("button", name="Envoyer la demande").click()
    assert field_error(page, "Commentaires") == [
        "Ne transmettez pas votre numéro de carte de crédit dans ce message."
    ]
    expect(comments).to_have_value(re.compile("Je veux le permis G"))  # nothing typed is lost
    shot("02-card-number-refused")
    assert ServiceRequest.objects.count() == 0
    assert card_number_traces(CARD.replace(" ", ""), caplog.text) == []

    comments.fill("Je souhaite passer au permis G (général zone 1) à partir du 1er août.")
    field(page, "Joindre une pièce jointe (optionnel)").set_input_files(letter)
    page.get_by_role("button", name="Envoyer la demande").click()
    request = ServiceRequest.objects.get()
    expect(page).to_have_url(chus.pattern(f"/demandes/{request.pk}/"))
    expect(heading(page)).to_have_text(f"Demande n°{NBSP}{request.number}")
    expect(page.get_by_role("status")).to_contain_text("a été transmise au centre de services")
    expect(page.get_by_role("link", name="lettre-changement.pdf")).to_be_visible()
    shot("03-request-sent")
    (acknowledgement,) = mail_to(person.email)
    assert acknowledgement.subject.startswith(f"[Demande {request.number}] Nous avons reçu")
    assert portal_link(acknowledgement, "/demandes/") == f"/demandes/{request.pk}/"
    shot.email(acknowledgement, "04-acknowledgement")
    assert request.attachments.get().content_type == "application/pdf"
    shot.assert_all_french()


def test_a_cancellation_at_the_earliest_date_ends_the_contract_and_frees_the_unit(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    browser,
    cisso: Portal,
    root: Portal,
) -> None:
    product = product_of("cisso", quantity=1)
    subscription = holder_of(product)  # takes the only unit
    person = subscription.person
    lot = product.lots.get()
    next_person = ProfileFactory(first_name="Luc", last_name="Gagnon").user
    waiting = WaitingListEntry.objects.create(
        organization=product.organization,
        product=product,
        person=next_person,
        lot=lot,
        category=product.categories.get(),
    )
    agent = staff_member("agent", product.organization, email="agent@cisso.example")

    with time_machine.travel(NOW, tick=True):
        log_in(page, cisso, person.email)
        open_my_subscription(page, cisso, subscription)
        page.get_by_role("link", name="Transmettre une demande d'annulation").click()
        expect(page).to_have_url(cisso.pattern(f"/abonnements/{subscription.pk}/annulation/"))
        expect(heading(page)).to_have_text("Transmettre une demande d'annulation")
        service = page.get_by_role(
            "radio",
            name="5432 - Permis multisites - Employé CISSSO (fin de l'abonnement: Indéterminée)",
        )
        expect(service).to_be_checked()
        expect(page.get_by_text("au plus tôt le 10 juillet 2026")).to_be_visible()
        last_day = field(
            page, "Choisissez la date à laquelle vous souhaitez annuler votre abonnement"
        )
        expect(last_day).to_have_value("2026-07-10")
        expect(last_day).to_have_attribute("min", "2026-07-10")
        expect(page.get_by_role("link", name="Revenir en arrière")).to_be_visible()
        shot("01-cancellation-form")
        page.get_by_role("button", name="Envoyer la demande d'annulation").click()
        request = ServiceRequest.objects.get()
        expect(page).to_have_url(cisso.pattern(f"/demandes/{request.pk}/"))
        expect(page.locator(".request-facts")).to_contain_text("10 juillet 2026")
        shot("02-cancellation-sent")

        # The service centre's agent confirms it from the inbox.
        staff_sign_in(staff_page, root, agent.email)
        expect(staff_page.get_by_role("link", name="Nouvelle: 1")).to_be_visible()
        staff_page.get_by_role("link", name=str(request.number), exact=True).click()
        expect(heading(staff_page)).to_contain_text(f"Demande n°{NBSP}{request.number}")
        staff_shot("01-cancellation-to-decide")
        staff_page.get_by_role(
            "button",
            name="Confirmer : l'abonnement prend fin le 2026-07-10".replace(" :", f"{NBSP}:"),
        ).click()
        expect(staff_page.get_by_role("status")).to_contain_text("Annulation confirmée")
        staff_shot("02-cancellation-confirmed")

        open_my_subscription(page, cisso, subscription)
        expect(page.get_by_text("Votre annulation est confirmée")).to_be_visible()
        expect(page.locator(".status-grid")).to_contain_text("10 juillet 2026")
        shot("03-subscription-ending")

    # 1 July: the run bills July to the 10th: 10 of 31 days at 62,00 $ a month.
    with time_machine.travel(dt.datetime(2026, 7, 1, 3, 0, tzinfo=LOCAL_TZ), tick=True):
        billing_run(
            run_date=dt.date(2026, 7, 1), now=dt.datetime.now(LOCAL_TZ), gateway=SandboxGateway()
        )
    final = Invoice.objects.get(subscription=subscription, period_start=dt.date(2026, 7, 1))
    assert (final.period_end, final.amount, final.status) == (
        dt.date(2026, 7, 10),
        Decimal("20.00"),
        Invoice.Status.PAID,
    )

    # 11 July: the daily job ends it; the unit goes to the next person, who takes it.
    with time_machine.travel(dt.datetime(2026, 7, 11, 8, 0, tzinfo=LOCAL_TZ), tick=True):
        assert contracts_end_due(now=dt.datetime.now(LOCAL_TZ)) == 1
        subscription.refresh_from_db()
        waiting.refresh_from_db()
        assert subscription.status == Subscription.Status.ENDED
        assert waiting.status == WaitingListEntry.Status.OFFERED
        (ended,) = [m for m in mail_to(person.email, count=3) if "a pris fin" in m.subject]
        assert f"20,00{NBSP}$" in ended.body
        shot.email(ended, "04-final-account")
        log_in(page, cisso, person.email)  # a month later: signed in again
        open_my_subscription(page, cisso, subscription)
        expect(page.locator(".status-grid")).to_contain_text("Terminé")
        shot("05-subscription-ended")

        (offer,) = mail_to(next_person.email)
        shot.email(offer, "06-offer")
        next_page = _open_page(browser, PHONE, "fr-CA")
        log_in(next_page, cisso, next_person.email)
        next_page.goto(cisso.url("/abonnements/nouveau/"))
        choose_offer(next_page, lot=lot.label, category="Employé du CISSSO")
        expect(next_page.get_by_text("Une place s'est libérée pour vous")).to_be_visible()
        next_page.get_by_role("radio", name=re.compile("^5432 - Permis multisites")).check()
        next_page.get_by_label("J'accepte les conditions d'abonnement").check()
        next_page.get_by_label(re.compile("^Je comprends que l'accès au stationnement")).check()
        next_page.get_by_role("button", name="Sélectionner ce service").click()
        vehicle_fill(
            next_page, year="2020", make="Honda", model="Civic", colour="Bleu", plate="XYZ789"
        )
        next_page.get_by_role("button", name="Enregistrer mon véhicule").click()
        next_page.get_by_role("button", name="Continuer à l'étape suivante").click()
        next_page.get_by_role("button", name="Mettre à jour").click()
        next_page.get_by_role("button", name="Continuer").click()
        next_page.get_by_role("radio", name="Carte de crédit").check()
        next_page.get_by_label("J'accepte les conditions de paiement").check()
        next_page.get_by_label(
            "Je comprends que je ne serai débité qu'une fois l'abonnement approuvé"
        ).check()
        type_card(next_page, "4242424242424242", cardholder="Luc Gagnon")
        next_page.get_by_role("button", name="Soumettre").click()
        expect(next_page).to_have_url(re.compile(r"/abonnements/\d+/$"))
        next_page.axe.check(where="closing")
        next_page.context.close()
    taken = Subscription.objects.get(person=next_person)
    waiting.refresh_from_db()
    product.refresh_from_db()
    assert (taken.status, taken.holds_unit) == (Subscription.Status.SUBMITTED, True)
    assert waiting.status == WaitingListEntry.Status.CONVERTED
    assert (product.quantity, product.units_taken) == (1, 1)  # the one unit, passed on
    shot.assert_all_french()
    staff_shot.assert_all_french()


def test_a_report_answered_by_staff_is_read_by_the_customer(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    chus: Portal,
    root: Portal,
    tmp_path: Path,
) -> None:
    product = product_of("ciusse-chus")
    person = ProfileFactory(first_name="Julie", last_name="Roy").user
    agent = staff_member("agent", product.organization, email="agent@chus.example")
    photo = tmp_path / "barriere.png"
    photo.write_bytes(PNG)

    log_in(page, chus, person.email)
    open_menu_link(page, "TRANSMETTRE UN RAPPORT")
    expect(page).to_have_url(chus.pattern("/rapport/"))
    expect(heading(page)).to_have_text("Transmettre un rapport")
    field(page, "Stationnement").select_option(label=str(product.lots.get()))
    field(page, "Problème").select_option(label="Barrière en panne")
    field(page, "Description").fill("La barrière de la sortie B reste fermée depuis 7 h.")
    field(page, "Photos (optionnel, jusqu'à 3)").set_input_files(photo)
    shot("01-report-form")
    page.get_by_role("button", name="Envoyer le rapport").click()
    request = ServiceRequest.objects.get()
    expect(page).to_have_url(chus.pattern(f"/demandes/{request.pk}/"))
    expect(page.get_by_role("link", name="barriere.png")).to_be_visible()
    shot("02-report-sent")

    staff_sign_in(staff_page, root, agent.email)
    expect(staff_page.get_by_role("link", name="Nouvelle: 1")).to_be_visible()
    staff_page.get_by_role("link", name=str(request.number), exact=True).click()
    expect(staff_page.get_by_text("La barrière de la sortie B reste fermée")).to_be_visible()
    staff_page.get_by_label("Assignée à").select_option(label=agent.email)
    staff_page.get_by_role("button", name="Assigner").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Assignation enregistrée")
    staff_page.get_by_label("Note interne (personnel seulement)").fill("Technicien avisé.")
    staff_page.get_by_role("button", name="Ajouter la note").click()
    staff_page.get_by_label("Réponse à la personne (envoyée par courriel)").fill(
        "Merci! Un technicien passera ce matin. Dites-nous si la barrière fonctionne."
    )
    staff_page.get_by_label("Attendre la réponse de la personne").check()
    staff_shot("01-reply")
    staff_page.get_by_role("button", name="Envoyer la réponse").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Votre réponse a été envoyée")
    expect(staff_page.locator("h1 .badge")).to_contain_text("En attente du client")
    staff_shot("02-replied")

    _acknowledgement, reply = mail_to(person.email, count=2)
    assert reply.subject.startswith(f"[Demande {request.number}] Le centre de services")
    assert "Un technicien passera ce matin." in reply.body
    assert "Technicien avisé" not in reply.body  # an internal note stays internal
    shot.email(reply, "03-reply-email")
    page.goto(chus.url(portal_link(reply, "/demandes/")))
    expect(page.get_by_text("Un technicien passera ce matin.")).to_be_visible()
    expect(page.get_by_text("Technicien avisé.")).to_have_count(0)
    expect(page.locator(".request-facts")).to_contain_text("En attente du client")
    field(page, "Votre réponse").fill("Elle fonctionne maintenant, merci!")
    shot("04-reply-read")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_role("status")).to_contain_text("Votre réponse a été transmise")
    expect(page.locator(".request-facts")).to_contain_text("En cours")
    shot("05-answered")
    shot.assert_all_french()
    staff_shot.assert_all_french()
