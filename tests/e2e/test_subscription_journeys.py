"""The subscription journeys of the guides, in a real browser, on the demo data.

- CHUS (phone): an internship supervisor asks for permit 5569 on lot 1085 with dates, one
  vehicle, school, discipline and a PDF proof, pays by credit card; the CHUS manager
  approves it in the back office; the person sees "Actif" and downloads the contract.
- CISSSO (desktop): an employee asks for permit 7117 on lot 1461 with an employee number,
  pays by payroll deduction; the CISSSO service-centre agent approves it.
- Refusals the person sees: an executable renamed .pdf, a third vehicle.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from playwright.sync_api import Locator, Page, expect

from parcauto.accounts.models import User
from parcauto.billing.models import Invoice
from parcauto.billing.proration import month_end, prorate
from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.money import format_money
from parcauto.demo.loader import DemoResult
from parcauto.demo.people import DEMO_PASSWORD
from parcauto.sales import services as lifecycle
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.subscriptions.services import drafts
from parcauto.tenants.models import Organization
from parcauto.vehicles.models import Vehicle
from tests.backoffice.staff import TOTP_SECRET
from tests.e2e.support import (
    Portal,
    Steps,
    browser_fetch,
    card_number_traces,
    field,
    field_error,
    heading,
    mail_to,
    pdf_text,
    staff_log_in,
    type_card,
    vehicle_fill,
)
from tests.factories import ProfileFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Stationnement-2026"  # tests.factories.UserFactory's
# The sandbox's test cards (payments.gateways.simulator): approved, approved, every charge
# declined.
CARD = "4242424242424242"
NEW_CARD = "5555555555554444"
DECLINED_CARD = "4000000000000341"
NBSP = "\u00a0"
# A small but real PDF: what a scanner or "Print to PDF" gives, as far as the checks go.
PROOF_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


# --- helpers -----------------------------------------------------------------------------


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def fr_date(day: dt.date) -> str:
    """A date as the French pages print it: "15 juin 2026", "1er juillet 2026" (written
    apart from core.dates, so that a mistake there shows here)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {FRENCH_MONTHS[day.month - 1]} {day.year}"


def person_with_profile(email: str, **profile: str) -> User:
    """Someone who already signed up, validated the address and filled in the profile."""
    return ProfileFactory(user=UserFactory(email=email), **profile).user


def log_in(page: Page, portal: Portal, email: str) -> None:
    page.goto(portal.url("/accounts/login/"))
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(portal.pattern("/tableau-de-bord/"))


def open_menu(page: Page) -> Locator:
    """The main menu: a left column on desktops, off-canvas behind "Menu" on phones."""
    menu_button = page.get_by_role("button", name="Menu")
    if menu_button.is_visible():
        menu_button.click()
        menu = page.get_by_role("dialog", name="Menu principal")
        expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        return menu
    return page.get_by_role("navigation", name="Menu principal")


def open_menu_link(page: Page, name: str) -> None:
    open_menu(page).get_by_role("link", name=name).click()


def choose_offer(page: Page, *, lot: str, category: str) -> None:
    """Step 1's lot and category. Each change reloads the permits (htmx): one waits for the
    new list to settle, as a person does, before the next choice (a change made while
    htmx is still swapping the list in reaches no listener yet)."""
    page.wait_for_load_state("load")  # htmx (a deferred script) listens from then on
    for label, option in (
        ("1. Sélectionnez un stationnement ou une organisation", lot),
        ("2. Sélectionnez votre catégorie d'utilisateur", category),
    ):
        page.evaluate(
            """() => { window.offerSettled = new Promise((resolve, reject) => {
                 document.body.addEventListener('htmx:afterSettle', resolve, {once: true});
                 setTimeout(() => reject(new Error('the permits list was not refreshed')), 10000);
               }); }"""
        )
        field(page, label).select_option(label=option)
        page.evaluate("() => window.offerSettled.then(() => true)")
        expect(field(page, label).locator("option:checked")).to_have_text(option)


def with_authenticator(email: str) -> User:
    """A demo staff account with an authenticator app (the secret the tests know)."""
    user = User.objects.get(email=email)
    TOTP.activate(user, TOTP_SECRET)
    return user


def approve_in_back_office(
    page: Page, shot: Steps, root: Portal, staff_email: str, contract: str, hidden: str = ""
) -> None:
    """The staff member logs in (password, then the app's code), finds the request in the
    queue, opens it and approves it. `hidden`: a contract number they must not see."""
    staff_log_in(page, root, staff_email, DEMO_PASSWORD, TOTP_SECRET)
    shot("01-login-code")
    page.get_by_role("button", name="Connexion").click()
    # Staff land on the administration's index, which leads to the approval queue.
    expect(page).to_have_url(root.pattern("/admin/"))
    page.wait_for_load_state("load")
    page.screenshot(path=shot.folder / f"{shot.prefix}-01b-admin.png", full_page=True)
    assert page.console_errors == []  # type: ignore[attr-defined]
    page.get_by_role("link", name="Demandes d'abonnement à approuver").click()
    expect(page).to_have_url(root.pattern("/gestion/demandes/"))
    expect(heading(page)).to_have_text("Demandes d'abonnement")
    queue = page.locator("table.queue-table")
    expect(queue.get_by_role("link", name=contract, exact=True)).to_be_visible()
    if hidden:
        expect(queue).not_to_contain_text(hidden)
    shot("02-queue")
    queue.get_by_role("link", name=contract, exact=True).click()
    expect(heading(page)).to_have_text(f"Demande {contract}")
    expect(page.get_by_text("En attente d'approbation").first).to_be_visible()


def approve(page: Page, contract: str) -> None:
    expect(page.get_by_text("L'abonnement devient actif aujourd'hui.")).to_be_visible()
    page.get_by_role("button", name="Approuver").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Demande {contract} approuvée : l'abonnement est actif."
    )
    expect(page.locator(".badge", has_text="Actif").first).to_be_visible()


def check_contract_pdf(page: Page, shot: Steps, step: str, subscription: Subscription) -> str:
    """MON CONTRAT in the menu: a PDF served to this person, naming the contract number."""
    menu = open_menu(page)
    link = menu.get_by_role("link", name="MON CONTRAT (PDF)")
    expect(link).to_be_visible()
    shot(step)
    href = link.get_attribute("href")
    assert href == f"/abonnements/{subscription.pk}/contrat.pdf"
    response = browser_fetch(page, href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline; filename=")
    assert response.body.startswith(b"%PDF-"), response.body[:20]
    (shot.folder / f"{shot.prefix}-{step}.pdf").write_bytes(response.body)  # for a look
    text = pdf_text(response.body)
    assert str(subscription.contract_number) in text, text[:500]
    return text


def submitted_cisso_request(demo: DemoResult) -> Subscription:
    """Another institution's request, sent through the services: the CHUS manager must not
    see it."""
    cisso = Organization.objects.get(slug="cisso")
    person = person_with_profile("karine.lavoie@example.com", first_name="Karine")
    now = clock_now()
    draft = drafts.subscription_draft_choose(
        person=person,
        organization=cisso,
        lot=ParkingLot.objects.get(organization=cisso, number="1461"),
        category=UserCategory.objects.get(organization=cisso, name_fr="Employé du CISSSO"),
        product=PermitProduct.objects.get(organization=cisso, number="7117"),
        start_date=local_today(now),
        end_date=None,
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=now,
    )
    vehicle = VehicleFactory(owner=person, plate="KLV777")
    drafts.subscription_draft_set_vehicles(subscription=draft, vehicles=[vehicle], now=now)
    drafts.subscription_draft_set_details(subscription=draft, employee_number="654321", now=now)
    drafts.subscription_draft_review(subscription=draft, now=now)
    return lifecycle.subscription_submit(
        subscription=draft,
        payment_method="payroll",
        accepted_payment_conditions=True,
        accepted_charge_after_approval=True,
        now=now,
    )


def summary_value(page: Page, label: str) -> Locator:
    """The value of the summary's row labelled exactly `label`."""
    label_cell = page.locator("th", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator("tr", has=label_cell).locator("td")


def proof_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- CHUS: an internship supervisor on a phone -------------------------------------------------


def test_a_supervisor_gets_permit_5569_approved_by_the_chus_manager(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    demo: DemoResult,
    portal,
    root: Portal,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    chus = portal("ciusse-chus")
    email = "john.tremblay@example.com"
    person_with_profile(
        email,
        gender="man",
        first_name="John",
        last_name="Tremblay",
        address_line1="1345 rue King Ouest",
        city="Sherbrooke",
        postal_code="J1H 1R4",
    )
    other = submitted_cisso_request(demo)
    manager = with_authenticator("gestion.chus@parcauto.localhost")
    today = local_today()
    start, end = today, today + dt.timedelta(days=61)

    log_in(page, chus, email)
    shot("01-dashboard")
    open_menu_link(page, "+ AJOUTER UN ABONNEMENT")

    # Step 1: lot 1085, "Superviseur de stage", permit 5569 at 23,08 $, dates, consents.
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/"))
    expect(heading(page)).to_have_text("Choisissez et paramétrez votre abonnement")
    expect(page.get_by_text("Étape 1 de 5")).to_be_visible()
    choose_offer(
        page,
        lot="1085 - CIUSSS de l'Estrie - CHUS - 375 rue Argyll, J1J 3H5, Sherbrooke, QC",
        category="Superviseur de stage",
    )
    permit = page.get_by_role(
        "radio",
        name=re.compile(r"^5569 - Permis G \(général zone 1\) - Superviseur de stage-épisodique"),
    )
    expect(permit).to_be_visible()
    expect(page.locator("label[for^=product-]")).to_have_text(
        f"5569 - Permis G (général zone 1) - Superviseur de stage-épisodique23,08{NBSP}$"
    )
    permit.check()
    field(page, "Je souhaite m'abonner à partir du").fill(start.isoformat())
    field(page, "jusqu'au").fill(end.isoformat())
    page.get_by_label("J'accepte les conditions d'abonnement").check()
    page.get_by_label(re.compile("^Je comprends que l'accès au stationnement nécessite")).check()
    shot("02-step1-choose")
    page.get_by_role("button", name="Sélectionner ce service").click()

    # Step 2: no vehicle yet; one added (plate typed "abc-123"), ticked, continue.
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/vehicules/"))
    expect(page.get_by_text("Étape 2 de 5")).to_be_visible()
    expect(page.get_by_text("Aucun véhicule n'est enregistré au compte.")).to_be_visible()
    vehicle_fill(page, year="2021", make="Acura", model="NSX", colour="Rouge", plate="abc-123")
    shot("03-step2-vehicle-form")
    page.get_by_role("button", name="Enregistrer mon véhicule").click()
    expect(page.get_by_role("status")).to_contain_text("Votre véhicule a été ajouté.")
    vehicle = page.get_by_role("checkbox", name=re.compile("^ABC123"))
    expect(vehicle).to_be_checked()
    expect(page.locator(".vehicle-choice")).to_contain_text("Acura NSX · 2021 · Rouge")
    shot("04-step2-vehicle-added")
    page.get_by_role("button", name="Continuer à l'étape suivante").click()

    # Step 3: the profile read-only; school, discipline and the proof (a real PDF).
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/informations/"))
    expect(page.get_by_text("Étape 3 de 5")).to_be_visible()
    expect(heading(page)).to_have_text("Complétez les informations nécessaires à l'abonnement")
    expect(page.locator("main")).to_contain_text("1345 rue King Ouest")
    field(page, "Établissement d'enseignement").fill("Université de Sherbrooke")
    field(page, "Discipline du stage").fill("Sciences infirmières")
    field(page, "Joindre la confirmation de stage").set_input_files(
        proof_file(tmp_path, "confirmation-stage.pdf", PROOF_PDF)
    )
    shot("05-step3-details")
    page.get_by_role("button", name="Mettre à jour").click()

    # Step 4: the summary, line by line as in the guide.
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/recapitulatif/"))
    expect(heading(page)).to_have_text("Récapitulatif de votre abonnement")
    rows = {
        "Stationnement ou organisme": "1085 - CIUSSS de l'Estrie - CHUS",
        "Description": "5569 - Permis G (général zone 1) - Superviseur de stage-épisodique",
        "Catégorie d'utilisateur": "Superviseur de stage",
        "Facturation": "Mensuel",
        "Mensualité (tx. incl.)": f"23,08{NBSP}$ (par mois)",
        "Début de l'abonnement": fr_date(start),
        "Fin de l'abonnement": fr_date(end),
        "Établissement d'enseignement": "Université de Sherbrooke",
        "Discipline du stage": "Sciences infirmières",
        "Confirmation de stage": "confirmation-stage.pdf",
        "Prénom": "John",
        "Nom": "Tremblay",
    }
    for label, value in rows.items():
        expect(summary_value(page, label)).to_have_text(value)
    # A phone shows the vehicle as one line (the five-column table is for wider screens).
    expect(page.locator("#vehicles-title + ul")).to_have_text("ABC123 · Acura NSX · 2021 · Rouge")
    shot("06-step4-summary")
    page.get_by_role("button", name="Continuer").click()

    # Step 5: VOTRE ABONNEMENT with the first period's price, card (the permit's methods
    # only), the two consents, the card typed in the gateway's iframe, "Soumettre".
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/paiement/"))
    expect(page.get_by_text("Étape 5 de 5")).to_be_visible()
    expect(heading(page)).to_have_text("Ajouter une carte de crédit")
    first_end = month_end(start)
    first_price = format_money(
        prorate(monthly_price=Decimal("23.08"), start=start, end=first_end), "fr"
    )
    expect(page.locator("#current-period")).to_contain_text(
        f"{first_price} (du {fr_date(start)} au {fr_date(first_end)})"
    )
    expect(page.locator("#current-period")).to_contain_text("taxes incluses")
    expect(page.get_by_role("radio", name="Déduction à la source")).to_have_count(0)
    # With JavaScript, only the chosen method's section shows (none until one is chosen).
    hint = page.get_by_text("Sélectionnez d'abord une méthode de paiement")
    expect(hint).to_be_visible()
    expect(page.locator("#method-card")).to_be_hidden()
    page.get_by_role("radio", name="Carte de crédit").check()
    expect(page.locator("#method-card")).to_be_visible()
    expect(page.locator("#method-pad")).to_be_hidden()
    expect(hint).to_be_hidden()
    page.get_by_label("J'accepte les conditions de paiement").check()
    page.get_by_label(
        "Je comprends que je ne serai débité qu'une fois l'abonnement approuvé"
    ).check()
    type_card(page, CARD)
    shot("07-step5-payment")
    page.get_by_role("button", name="Soumettre").click()

    # "Détails de l'abonnement": awaiting approval, with its contract number.
    expect(page).to_have_url(re.compile(r"/abonnements/\d+/$"))
    subscription = Subscription.objects.get(person__email=email)
    assert subscription.status == Subscription.Status.SUBMITTED
    contract = str(subscription.contract_number)
    expect(page).to_have_url(chus.pattern(f"/abonnements/{subscription.pk}/"))
    expect(heading(page)).to_have_text("Détails de l'abonnement")
    status = page.locator(".status-grid")
    expect(status.locator("div", has_text="Statut de l'abonnement").locator("dd")).to_have_text(
        "En attente d'approbation"
    )
    expect(status.locator("div", has_text="Numéro de contrat").locator("dd")).to_have_text(contract)
    expect(status.locator("div", has_text="Méthode de paiement").locator("dd")).to_have_text(
        "Carte de crédit"
    )
    # Verified and stored at once; nothing charged before the approval (rule 8).
    expect(page.get_by_text("Visa •••• 4242")).to_be_visible()
    expect(status.locator("div", has_text="Solde").locator("dd")).to_have_text(f"0,00{NBSP}$")
    assert not Invoice.objects.filter(subscription=subscription).exists()
    shot("08-details-pending")
    assert subscription.vehicles.get().plate == "ABC123"
    assert Attachment.objects.get(subscription=subscription).original_name == (
        "confirmation-stage.pdf"
    )

    # The CHUS manager, on the operator's host: sees this request, not the CISSSO one.
    approve_in_back_office(
        staff_page, staff_shot, root, manager.email, contract, hidden=str(other.contract_number)
    )
    other_url = root.url(f"/gestion/demandes/{other.pk}/")
    assert staff_page.request.get(other_url).status == 404  # not even by its address
    expect(staff_page.get_by_text("Université de Sherbrooke")).to_be_visible()
    expect(staff_page.locator("dd", has_text="(819) 555-1234")).to_be_visible()
    expect(staff_page.get_by_text("Sciences infirmières")).to_be_visible()
    proof_link = staff_page.get_by_role("link", name="confirmation-stage.pdf")
    with staff_page.expect_download() as download_info:
        proof_link.click()
    download = download_info.value
    assert download.suggested_filename == f"preuve-{contract}.pdf"  # never the uploaded name
    assert Path(download.path()).read_bytes() == PROOF_PDF
    proof = staff_page.request.get(root.url(proof_link.get_attribute("href") or ""))
    assert proof.headers["content-type"] == "application/pdf"
    assert proof.headers["content-disposition"].startswith("attachment")
    assert proof.headers["x-content-type-options"] == "nosniff"
    staff_shot("03-request")
    approve(staff_page, contract)
    staff_shot("04-approved")

    # Back on the portal: "Actif" from today, and MON CONTRAT.
    page.reload()
    expect(status.locator("div", has_text="Statut de l'abonnement").locator("dd")).to_have_text(
        "Actif"
    )
    expect(status.locator("div", has_text="Début de l'abonnement").locator("dd")).to_have_text(
        fr_date(today)
    )
    expect(page.get_by_role("link", name="Mon contrat (PDF)")).to_be_visible()
    shot("09-details-active")
    text = check_contract_pdf(page, shot, "10-menu-my-contract", subscription)
    assert "ABC123" in text
    assert "5569" in text

    # Charged at approval: the first period is paid; CALENDRIER DE PERCEPTION shows it
    # with its receipt, then the month to come.
    invoice = Invoice.objects.get(subscription=subscription)
    assert (invoice.status, format_money(invoice.amount, "fr")) == ("paid", first_price)
    page.reload()  # the menu was left open on MON CONTRAT
    open_menu_link(page, "CALENDRIER DE PERCEPTION")
    expect(heading(page)).to_have_text("Calendrier de perception")
    lines = page.locator(".calendar-line")
    expect(lines.first).to_contain_text(f"{first_price} · Payée")
    expect(lines.nth(1)).to_contain_text("Prévue")
    shot("11-collection-calendar")
    receipt = lines.first.get_by_role("link", name="Reçu (PDF)").get_attribute("href") or ""
    response = browser_fetch(page, receipt)
    assert response.headers["content-type"] == "application/pdf"
    (shot.folder / f"{shot.prefix}-12-receipt.pdf").write_bytes(response.body)
    receipt_text = pdf_text(response.body)
    assert f"Reçu n° {invoice.number}" in receipt_text
    # (pdf_text collapses the no-break spaces like any other.)
    assert f"Total (taxes incluses) {first_price.replace(NBSP, ' ')}" in receipt_text

    # "Mettre à jour la carte de crédit": another card replaces the stored one.
    page.goto(chus.url(f"/abonnements/{subscription.pk}/"))
    page.get_by_role("link", name="Mettre à jour la carte de crédit").click()
    expect(heading(page)).to_have_text("Mettre à jour la carte de crédit")
    expect(page.get_by_text("Visa •••• 4242")).to_be_visible()
    type_card(page, NEW_CARD, expiry="08/29")
    shot("13-card-update")
    page.get_by_role("button", name="Soumettre").click()
    expect(page).to_have_url(chus.pattern(f"/abonnements/{subscription.pk}/"))
    expect(page.get_by_role("status")).to_contain_text("Votre carte de crédit a été mise à jour.")
    expect(page.get_by_text("Mastercard •••• 4444")).to_be_visible()
    expect(summary_value(page, "Date d'expiration")).to_have_text("08/29")
    shot("14-card-updated")

    assert card_number_traces(CARD, caplog.text) == []
    assert card_number_traces(NEW_CARD, caplog.text) == []
    shot.assert_all_french()
    staff_shot.assert_all_french()


# --- CISSSO: an employee on a desktop, payroll deduction ----------------------------------------


@pytest.mark.viewport("desktop")
def test_an_employee_gets_permit_7117_by_payroll_deduction_approved_by_the_cisso_agent(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    demo: DemoResult,
    portal,
    root: Portal,
) -> None:
    cisso = portal("cisso")
    email = "sophie.gagnon@example.com"
    person_with_profile(
        email,
        first_name="Sophie",
        last_name="Gagnon",
        address_line1="116 boulevard Lionel-Émond",
        city="Gatineau",
        postal_code="J8Y 1W7",
    )
    agent = with_authenticator("agent.cisso@parcauto.localhost")
    today = local_today()

    log_in(page, cisso, email)
    open_menu_link(page, "+ AJOUTER UN ABONNEMENT")

    # Step 1: two lots and two categories here: lot 1461, "Employé du CISSSO", permit 7117.
    expect(heading(page)).to_have_text("Choisissez et paramétrez votre abonnement")
    choose_offer(
        page,
        lot="1461 - Hôpital de Hull - 116 boul. Lionel-Émond, J8Y 1W7, Gatineau, QC",
        category="Employé du CISSSO",
    )
    permits = page.locator("label[for^=product-]")
    expect(permits).to_have_text(
        [
            re.compile(r"^5432 - Permis multisites - Employé CISSSO"),
            f"7117 - 1461 - Hôpital de Hull - Employé CISSSO64,39{NBSP}$",
        ]
    )  # the reserved 7116 stays hidden without its access code
    page.get_by_role("radio", name=re.compile(r"^7117 - ")).check()
    field(page, "Je souhaite m'abonner à partir du").fill(today.isoformat())
    expect(field(page, "jusqu'au")).to_be_hidden()  # a monthly permit has no end date
    page.get_by_label("J'accepte les conditions d'abonnement").check()
    page.get_by_label(re.compile("^Je comprends que l'accès au stationnement nécessite")).check()
    shot("01-step1-choose")
    page.get_by_role("button", name="Sélectionner ce service").click()

    # Step 2: one vehicle.
    expect(page).to_have_url(cisso.pattern("/abonnements/nouveau/vehicules/"))
    vehicle_fill(page, year="2019", make="Honda", model="Civic", colour="Bleu", plate="xyz 789")
    page.get_by_role("button", name="Enregistrer mon véhicule").click()
    expect(page.get_by_role("checkbox", name=re.compile("^XYZ789"))).to_be_checked()
    shot("02-step2-vehicle")
    page.get_by_role("button", name="Continuer à l'étape suivante").click()

    # Step 3: the employee number is required ("Champ requis" first), then given.
    expect(page).to_have_url(cisso.pattern("/abonnements/nouveau/informations/"))
    expect(field(page, "Établissement d'enseignement")).to_have_count(0)
    page.get_by_role("button", name="Mettre à jour").click()
    expect(page).to_have_url(cisso.pattern("/abonnements/nouveau/informations/"))
    expect(page.locator("#form-errors")).to_have_text(
        "Certains champs demandent votre attention. Rien de ce que vous avez saisi n'a été perdu."
    )
    assert field_error(page, "Numéro d'employé") == ["Champ requis"]
    expect(
        page.get_by_text(f"Si vous êtes résident, inscrivez «{NBSP}résident{NBSP}».")
    ).to_be_visible()
    shot("03-step3-required")
    field(page, "Numéro d'employé").fill("123456")
    page.get_by_role("button", name="Mettre à jour").click()

    # Step 4: the summary (a desktop shows the vehicles as a table).
    expect(page).to_have_url(cisso.pattern("/abonnements/nouveau/recapitulatif/"))
    for label, value in {
        "Stationnement ou organisme": "1461 - Hôpital de Hull",
        "Description": "7117 - 1461 - Hôpital de Hull - Employé CISSSO",
        "Catégorie d'utilisateur": "Employé du CISSSO",
        "Facturation": "Mensuel",
        "Mensualité (tx. incl.)": f"64,39{NBSP}$ (par mois)",
        "Début de l'abonnement": fr_date(today),
        "Fin de l'abonnement": "Indéterminée",
        "Numéro d'employé": "123456",
    }.items():
        expect(summary_value(page, label)).to_have_text(value)
    vehicles = page.locator("section[aria-labelledby=vehicles-title] table")
    expect(vehicles.locator("tbody tr td")).to_have_text(
        ["XYZ789", "Honda", "Civic", "2019", "Bleu"]
    )
    # Guide 002: payroll deduction has no payment step; the summary is the last of four,
    # with the authorization and the payment conditions, then "Transmettre ma demande".
    expect(page.get_by_text("Étape 4 de 4")).to_be_visible()
    expect(page.get_by_role("radio", name="Carte de crédit")).to_have_count(0)
    authorization = page.get_by_label(re.compile(r"^J'autorise CISSS de l'Outaouais à .*64,39"))
    authorization.check()
    # Nothing is charged to a card or an account: the "débité" box is not asked.
    expect(
        page.get_by_label("Je comprends que je ne serai débité qu'une fois l'abonnement approuvé")
    ).to_have_count(0)
    page.get_by_label("J'accepte les conditions de paiement").check()
    shot("04-step4-summary")
    page.get_by_role("button", name="Transmettre ma demande").click()

    expect(page).to_have_url(re.compile(r"/abonnements/\d+/$"))
    subscription = Subscription.objects.get(person__email=email)
    contract = str(subscription.contract_number)
    assert (subscription.status, subscription.payment_method) == (
        Subscription.Status.SUBMITTED,
        "payroll",
    )
    assert subscription.employee_number == "123456"
    expect(page).to_have_url(cisso.pattern(f"/abonnements/{subscription.pk}/"))
    status = page.locator(".status-grid")
    expect(status.locator("div", has_text="Statut de l'abonnement").locator("dd")).to_have_text(
        "En attente d'approbation"
    )
    expect(status.locator("div", has_text="Méthode de paiement").locator("dd")).to_have_text(
        "Déduction à la source"
    )
    shot("06-details-pending")

    # The CISSSO service-centre agent decides.
    approve_in_back_office(staff_page, staff_shot, root, agent.email, contract)
    expect(staff_page.get_by_text("123456")).to_be_visible()
    approve(staff_page, contract)
    staff_shot("03-approved")

    page.reload()
    expect(status.locator("div", has_text="Statut de l'abonnement").locator("dd")).to_have_text(
        "Actif"
    )
    shot("07-details-active")
    text = check_contract_pdf(page, shot, "08-my-contract", subscription)
    assert "7117" in text
    assert "XYZ789" in text

    shot.assert_all_french()
    staff_shot.assert_all_french()


# --- refusals the person sees -------------------------------------------------------------------


def test_a_third_vehicle_and_an_executable_renamed_pdf_are_refused_in_french(
    page: Page, shot: Steps, demo: DemoResult, portal, tmp_path: Path
) -> None:
    chus = portal("ciusse-chus")
    email = "marc.roy@example.com"
    person = person_with_profile(email, first_name="Marc", last_name="Roy")
    VehicleFactory(owner=person, plate="FIRST01")
    today = local_today()

    log_in(page, chus, email)
    page.goto(chus.url("/abonnements/nouveau/"))
    # One lot and one category on this portal: both already chosen, the permit listed.
    page.get_by_role("radio", name=re.compile(r"^5569 - ")).check()
    field(page, "Je souhaite m'abonner à partir du").fill(today.isoformat())
    field(page, "jusqu'au").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_label("J'accepte les conditions d'abonnement").check()
    page.get_by_label(re.compile("^Je comprends que l'accès au stationnement nécessite")).check()
    page.get_by_role("button", name="Sélectionner ce service").click()

    # Step 2: while the form is open, a second vehicle was added elsewhere (another tab,
    # the phone): saving this one would make three. Refused; nothing typed is lost.
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/vehicules/"))
    expect(page.get_by_role("checkbox", name=re.compile("^FIRST01"))).to_be_checked()
    page.locator("summary", has_text="Ajouter un véhicule").click()
    vehicle_fill(page, year="2021", make="Acura", model="NSX", colour="Rouge", plate="THIRD3")
    VehicleFactory(owner=person, plate="SECOND2")
    page.get_by_role("button", name="Enregistrer mon véhicule").click()
    expect(page.locator("#form-errors")).to_have_text(
        "Certains champs demandent votre attention. Rien de ce que vous avez saisi n'a été perdu."
    )
    expect(
        page.get_by_text(f"Maximum 2 véhicules{NBSP}: supprimez-en un avant d'en ajouter un autre.")
    ).to_be_visible()
    expect(field(page, "Modèle")).to_have_value("NSX")
    expect(field(page, "Numéro d'immatriculation")).to_have_value("THIRD3")
    expect(page.get_by_role("checkbox", name=re.compile("^FIRST01"))).to_be_checked()
    shot("01-third-vehicle-refused")
    plates = Vehicle.objects.filter(owner=person).values_list("plate", flat=True)
    assert sorted(plates) == ["FIRST01", "SECOND2"]
    page.get_by_role("button", name="Continuer à l'étape suivante").click()

    # Step 3: an executable renamed .pdf is refused; the school and discipline stay.
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/informations/"))
    field(page, "Établissement d'enseignement").fill("Cégep de Sherbrooke")
    field(page, "Discipline du stage").fill("Soins infirmiers")
    field(page, "Joindre la confirmation de stage").set_input_files(
        proof_file(tmp_path, "stage.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    )
    page.get_by_role("button", name="Mettre à jour").click()
    expect(page).to_have_url(chus.pattern("/abonnements/nouveau/informations/"))
    expect(page.locator("#form-errors")).to_contain_text(
        "Par sécurité, le navigateur vous demande de choisir le fichier de nouveau."
    )
    assert field_error(page, "Joindre la confirmation de stage") == [
        "Ce fichier n'est pas un document .jpg, .jpeg, .png ou .pdf."
    ]
    expect(field(page, "Établissement d'enseignement")).to_have_value("Cégep de Sherbrooke")
    expect(field(page, "Discipline du stage")).to_have_value("Soins infirmiers")
    shot("02-executable-refused")
    assert not Attachment.objects.exists()

    shot.assert_all_french()


# --- Cégep Édouard-Montpetit: a student buys the semester permit by card (guide 000) ----------


def buy_the_winter_permit(page: Page, shot: Steps, cem: Portal, card: str) -> None:
    """Guide 000, steps 4 to 11: the permit, a vehicle, "Mettre à jour", the card, "Soumettre"."""
    open_menu_link(page, "+ AJOUTER UN ABONNEMENT")
    expect(heading(page)).to_have_text("Choisissez et paramétrez votre abonnement")
    page.wait_for_load_state("load")
    category = field(page, "2. Sélectionnez votre catégorie d'utilisateur")
    if category.locator("option:checked").inner_text() != "Étudiant":
        page.evaluate(
            """() => { window.offerSettled = new Promise((resolve) => {
                 document.body.addEventListener('htmx:afterSettle', resolve, {once: true}); }); }"""
        )
        category.select_option(label="Étudiant")
        page.evaluate("() => window.offerSettled.then(() => true)")
    permit = page.get_by_role("radio", name=re.compile(r"^3001 - Permis session hiver 2027"))
    expect(permit).to_be_visible()
    permit.check()  # Étape 4-5: its own dates, 15 January to 31 May
    expect(page.get_by_text("Cet abonnement a ses propres dates")).to_be_visible()
    page.get_by_label("J'accepte les conditions d'abonnement").check()
    shot("01-choose")
    page.get_by_role("button", name="Sélectionner ce service").click()

    # Étapes 6-7: one vehicle.
    expect(page).to_have_url(cem.pattern("/abonnements/nouveau/vehicules/"))
    vehicle_fill(page, year="2018", make="Toyota", model="Corolla", colour="Gris", plate="CEG 2027")
    page.get_by_role("button", name="Enregistrer mon véhicule").click()
    expect(page.get_by_role("checkbox", name=re.compile("^CEG2027"))).to_be_checked()
    page.get_by_role("button", name="Continuer à l'étape suivante").click()

    # Étape 8: "Mettre à jour", then the summary.
    expect(page).to_have_url(cem.pattern("/abonnements/nouveau/informations/"))
    page.get_by_role("button", name="Mettre à jour").click()
    expect(page).to_have_url(cem.pattern("/abonnements/nouveau/recapitulatif/"))
    page.get_by_role("button", name="Continuer").click()

    # Étapes 9-11: the card (the only method), the consent, the card's details, "Soumettre".
    expect(page).to_have_url(cem.pattern("/abonnements/nouveau/paiement/"))
    expect(page.locator("#current-period")).to_contain_text(
        f"189,00{NBSP}$ (du 15 janvier 2027 au 31 mai 2027)"
    )
    expect(page.get_by_role("radio", name="Carte de crédit")).to_be_checked()
    # No approval: the "débité une fois approuvé" box is not asked.
    expect(page.get_by_text("Je comprends que je ne serai débité")).to_have_count(0)
    page.get_by_label("J'accepte les conditions de paiement").check()
    type_card(page, card)
    shot("02-payment")
    page.get_by_role("button", name="Soumettre").click()


def test_a_student_buys_the_winter_semester_permit_by_card(
    page: Page, shot: Steps, demo: DemoResult, portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cem = portal("cem")
    email = "2212345@cegepmontpetit.ca"
    person_with_profile(email, first_name="Léa", last_name="Bouchard")
    log_in(page, cem, email)
    buy_the_winter_permit(page, shot, cem, CARD)

    # Étape 12: the purchase is confirmed on the page and by e-mail; the card was charged.
    expect(page).to_have_url(re.compile(r"/abonnements/\d+/$"))
    subscription = Subscription.objects.get(person__email=email)
    expect(page).to_have_url(cem.pattern(f"/abonnements/{subscription.pk}/"))
    expect(page.get_by_role("status")).to_contain_text(
        "Votre achat est terminé. Votre confirmation d'achat, avec votre contrat"
    )
    expect(page.get_by_text("Votre achat est confirmé.")).to_be_visible()
    expect(page.get_by_text("Votre abonnement a été approuvé")).to_have_count(0)
    status = page.locator(".status-grid")
    expect(status.locator("div", has_text="Statut de l'abonnement").locator("dd")).to_have_text(
        "En attente jusqu'au 15 janvier 2027"
    )
    expect(status.locator("div", has_text="Solde").locator("dd")).to_have_text(f"0,00{NBSP}$")
    expect(page.get_by_text("Visa •••• 4242")).to_be_visible()
    shot("03-confirmation")
    invoice = Invoice.objects.get(subscription=subscription)
    assert (invoice.status, invoice.amount) == ("paid", Decimal("189.00"))
    [confirmation] = mail_to(email)
    assert str(subscription.contract_number) in confirmation.body
    # Guide 000: a purchase confirmation, conditional on the card issuer.
    assert confirmation.subject.endswith(
        f"Confirmation d'achat (contrat no {subscription.contract_number})"
    )
    assert "conditionnelle à ce que l'émetteur de votre carte de crédit" in confirmation.body
    shot.email(confirmation, "04-confirmation-email")

    assert card_number_traces(CARD, caplog.text) == []
    shot.assert_all_french()


@pytest.mark.viewport("desktop")
def test_a_declined_card_cancels_the_purchase_and_says_so_by_email(
    page: Page, shot: Steps, demo: DemoResult, portal, caplog: pytest.LogCaptureFixture
) -> None:
    """Guide 000: "Si le paiement n'est pas accepté par l'émetteur ... l'achat sera annulé."""
    caplog.set_level(logging.DEBUG)
    cem = portal("cem")
    email = "2298765@cegepmontpetit.ca"
    person_with_profile(email, first_name="Noah", last_name="Côté")
    product = PermitProduct.objects.get(organization__slug="cem", number="3001")
    taken = product.units_taken
    log_in(page, cem, email)
    buy_the_winter_permit(page, shot, cem, DECLINED_CARD)

    expect(page).to_have_url(re.compile(r"/abonnements/\d+/$"))
    subscription = Subscription.objects.get(person__email=email)
    expect(page).to_have_url(cem.pattern(f"/abonnements/{subscription.pk}/"))
    page.reload()  # the charge is answered after the page was drawn
    expect(page.locator(".alert-danger").first).to_contain_text(
        "Le paiement a été refusé : ce contrat est annulé.".replace(" :", f"{NBSP}:")
    )
    shot("03-declined")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAYMENT_FAILED
    assert not subscription.holds_unit
    product.refresh_from_db()
    assert product.units_taken == taken  # the unit is back on sale
    assert Invoice.objects.get(subscription=subscription).status == "void"
    messages = mail_to(email, count=2)
    declined = [m for m in messages if "refus" in (m.subject + m.body).lower()]
    assert declined, [m.subject for m in messages]
    shot.email(declined[-1], "04-declined-email")

    assert card_number_traces(DECLINED_CARD, caplog.text) == []
    shot.assert_all_french()
