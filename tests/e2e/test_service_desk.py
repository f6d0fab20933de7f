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
from parcauto.subscriptions.services.units import waitlist_offer_take
from parcauto.tenants.models import Organization
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.billing.conftest import contract
from tests.e2e.support import (
    Portal,
    Steps,
    card_number_traces,
    field,
    field_error,
    heading,
    mail_to,
    staff_log_in,
)
from tests.e2e.test_subscription_journeys import PASSWORD, PROOF_PDF, log_in, open_menu_link
from tests.factories import ParkingLotFactory, PermitProductFactory, ProfileFactory, UserCategoryFactory

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
    page.get_by_role("link", name="Centre de services").click()
    expect(page).to_have_url(root.pattern("/gestion/service/"))


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
