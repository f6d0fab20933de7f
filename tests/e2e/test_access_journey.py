"""Issue 11's proof, end to end: a student of the Cégep Édouard-Montpetit buys the winter
permit 3001 by card; on 15 January 2027 the daily job activates it and the activation
e-mail arrives; the pass page shows the QR code, which a screenshot of it decodes to the
pass's token; the back office's "Borne de test" lets the car in with that screenshot.
On 1 February a charge is declined (the bank stopped the card); ten days later the billing
run's dunning suspends the contract and the same screenshot is refused ("suspended").
The student types a new card in "Mettre à jour la carte de crédit": the overdue charge
is paid and the same screenshot opens the gate again.

A per-term permit has no later charge of its own: the test books one (a DUE invoice, as
the run books them) so that the real billing path declines, suspends and collects it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from parcauto.access.models import AccessPass
from parcauto.access.qr_reading import qr_texts
from parcauto.access.selectors import pass_card
from parcauto.billing.models import Invoice
from parcauto.billing.services.invoices import FIRST_INVOICE_NUMBER, INVOICE_SEQUENCE
from parcauto.billing.services.run import billing_run
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.sequences import sequence_next
from parcauto.demo.loader import DemoResult
from parcauto.payments.gateways.sandbox import SandboxGateway
from parcauto.payments.gateways.simulator import Behaviour
from parcauto.payments.models import PaymentMethod, SandboxCard
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.tasks import activate_due_subscriptions
from parcauto.tenants.models import Organization
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.e2e.support import Portal, Steps, field, heading, mail_to, staff_log_in, type_card
from tests.e2e.test_subscription_journeys import (
    CARD,
    PASSWORD,
    buy_the_winter_permit,
    log_in,
    person_with_profile,
)
from tests.scoping import worker_call

pytestmark = pytest.mark.e2e

EMAIL = "2234567@cegepmontpetit.ca"
FIRST_DAY = dt.datetime(2027, 1, 15, 8, 0, tzinfo=LOCAL_TZ)
SECOND_CHARGE_DUE = dt.date(2027, 2, 1)
SUSPENDED_ON = dt.date(2027, 2, 11)  # the default policy: suspended after 10 days unpaid


def open_the_pass(page: Page, cem: Portal, subscription: Subscription) -> None:
    page.goto(cem.url(f"/abonnements/{subscription.pk}/carte-acces/"))
    expect(heading(page)).to_have_text("Ma carte d'accès virtuelle")


def qr_screenshot(page: Page, path: Path) -> str:
    """Screenshot the pass's QR code as the holder would, and read it as gates do."""
    code = page.get_by_role("img", name="Code QR de votre carte d'accès")
    expect(code).to_be_visible()
    texts = qr_texts(code.screenshot(path=path, animations="disabled"))
    assert len(texts) == 1, texts
    return texts[0]


def ask_the_gate(page: Page, root: Portal, lot: ParkingLot, picture: Path) -> tuple[str, str]:
    """The back office's test gate, given the screenshot: (reason, allowed)."""
    page.goto(root.url("/gestion/acces/borne-de-test/"))
    field(page, "Stationnement").select_option(str(lot.pk))
    field(page, "Ou une image du code QR").set_input_files(picture)
    page.get_by_role("button", name="Interroger la barrière").click()
    answer = page.locator("#gate-answer")
    expect(answer).to_be_visible()
    return answer.get_attribute("data-reason") or "", answer.get_attribute("data-allowed") or ""


def staff_sign_in(page: Page, root: Portal, email: str) -> None:
    page.context.clear_cookies()  # the clock moved: signed in afresh
    staff_log_in(page, root, email, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(root.pattern("/admin/"))


def book_a_second_charge(subscription: Subscription) -> Invoice:
    return Invoice.objects.create(
        organization=subscription.organization,
        number=sequence_next(name=INVOICE_SEQUENCE, start=FIRST_INVOICE_NUMBER),
        subscription=subscription,
        kind=Invoice.Kind.CHARGE,
        period_start=SECOND_CHARGE_DUE,
        period_end=dt.date(2027, 2, 28),
        due_date=SECOND_CHARGE_DUE,
        payment_method="card",
        amount=Decimal("25.00"),
        pre_tax=Decimal("21.74"),
        gst=Decimal("1.09"),
        qst=Decimal("2.17"),
        status=Invoice.Status.DUE,
    )


def run_billing_on(day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(3, 0), tzinfo=LOCAL_TZ)
    with time_machine.travel(moment, tick=False):
        billing_run(run_date=day, now=moment, gateway=SandboxGateway())


def test_a_students_pass_opens_the_gate_until_a_payment_fails_and_again_once_paid(
    page: Page,
    shot: Steps,
    staff_page: Page,
    staff_shot: Steps,
    demo: DemoResult,
    portal,
    root: Portal,
) -> None:
    cem = portal("cem")
    organization = Organization.objects.get(slug="cem")
    lot = ParkingLot.objects.get(organization=organization, number="2010")
    agent = staff_member("agent", organization, email="agent@cem.example")
    person_with_profile(EMAIL, first_name="Léa", last_name="Bouchard")
    picture = shot.folder / f"{shot.prefix}-qr.png"

    # December 2026: the purchase, charged at once; the contract waits for 15 January.
    log_in(page, cem, EMAIL)
    buy_the_winter_permit(page, shot, cem, CARD)
    expect(page).to_have_url(re.compile(r"/abonnements/\d+/$"))
    subscription = Subscription.objects.get(person__email=EMAIL)
    assert subscription.status == Subscription.Status.APPROVED
    mail_to(EMAIL, count=1)  # the purchase's confirmation, no pass yet

    # 15 January 2027: the daily job activates it; the pass arrives by e-mail.
    with time_machine.travel(FIRST_DAY, tick=True):
        assert worker_call(activate_due_subscriptions) >= 1
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.ACTIVE
        activation = mail_to(EMAIL, count=2)[-1]
        assert "Votre carte d'accès virtuelle" in activation.subject, activation.subject
        shot.email(activation, "03-activation-email")

        page.context.clear_cookies()
        log_in(page, cem, EMAIL)
        open_the_pass(page, cem, subscription)
        shot("04-pass")
        read = qr_screenshot(page, picture)
        access_pass = AccessPass.objects.get(subscription=subscription)
        card = pass_card(access_pass=access_pass, contract=subscription, now=FIRST_DAY)
        assert card.token and read == card.token

        staff_sign_in(staff_page, root, agent.email)
        assert ask_the_gate(staff_page, root, lot, picture) == ("allowed", "true")
        expect(staff_page.get_by_text("La barrière s\u2019ouvre")).to_be_visible()
        expect(staff_page.locator("#gate-answer")).to_contain_text("Permis valide")
        staff_shot("01-gate-opens")

    # 1 February: the bank stopped the card; the month's charge is declined.
    SandboxCard.objects.filter(
        token__in=PaymentMethod.objects.filter(subscription=subscription).values("data_key")
    ).update(behaviour=Behaviour.DECLINE_CHARGES)
    second = book_a_second_charge(subscription)
    run_billing_on(SECOND_CHARGE_DUE)
    second.refresh_from_db()
    assert second.status == Invoice.Status.FAILED
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # not yet: the policy's delay

    # 11 February: still unpaid after 10 days, the dunning suspends the contract.
    run_billing_on(SUSPENDED_ON)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.SUSPENDED

    with time_machine.travel(
        dt.datetime.combine(SUSPENDED_ON, dt.time(8, 0), tzinfo=LOCAL_TZ), tick=True
    ):
        page.context.clear_cookies()
        log_in(page, cem, EMAIL)
        open_the_pass(page, cem, subscription)
        expect(page.get_by_role("status")).to_contain_text("Votre abonnement est suspendu")
        shot("05-pass-suspended")
        suspended_picture = shot.folder / f"{shot.prefix}-qr-suspended.png"
        assert qr_screenshot(page, suspended_picture) == read  # the same code, refused

        staff_sign_in(staff_page, root, agent.email)
        assert ask_the_gate(staff_page, root, lot, suspended_picture) == ("suspended", "false")
        expect(staff_page.get_by_text("La barrière reste fermée")).to_be_visible()
        expect(staff_page.locator("#gate-answer")).to_contain_text("Permis suspendu")
        staff_shot("02-gate-refuses-suspended")

        # A new card: the overdue charge is paid on it at once, the pass works again.
        page.get_by_role("link", name="Mettre à jour la carte de crédit").click()
        expect(heading(page)).to_have_text("Mettre à jour la carte de crédit")
        type_card(page, CARD)
        shot("06-card-update")
        page.get_by_role("button", name="Soumettre").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "Votre carte de crédit a été mise à jour."
        )
        second.refresh_from_db()
        assert second.status == Invoice.Status.PAID
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.ACTIVE

        open_the_pass(page, cem, subscription)
        expect(page.get_by_text("Votre abonnement est suspendu")).to_have_count(0)
        shot("07-pass-active-again")
        assert ask_the_gate(staff_page, root, lot, suspended_picture) == ("allowed", "true")
        staff_shot("03-gate-opens-again")

    shot.assert_all_french()
    staff_shot.assert_all_french()
