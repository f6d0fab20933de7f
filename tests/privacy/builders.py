"""A person with a past on a portal, built the way people build one: an account and a
profile, a vehicle with its history, a contract that ended with its proof, a paid
invoice, a card and an earlier bank account with its cheque specimen, the e-mails and
audit events all that left behind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile

from parcauto.accounts.models import User
from parcauto.billing.models import Invoice
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle
from parcauto.vehicles.services import vehicle_add, vehicle_update
from tests.backoffice.requests import NOW, submitted_request
from tests.backoffice.test_billing_pages import attempt_on, card_of, invoice_for
from tests.factories import ProfileFactory
from tests.offers import Offer
from tests.scoping import within_its_institution
from tests.vehicles.conftest import corolla

ENDED_ON = NOW.date() - dt.timedelta(days=10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Holder:
    person: User
    contract: Subscription  # ended: proof, invoice, card, earlier bank account
    invoice: Invoice
    bank_account: PaymentMethod
    vehicle: Vehicle


def person_make(email: str, *, first_name: str = "Marie", last_name: str = "Tremblay") -> User:
    return ProfileFactory(user__email=email, first_name=first_name, last_name=last_name).user


@within_its_institution
def bank_account_of(contract: Subscription, *, last_digits: str = "4321") -> PaymentMethod:
    """An earlier bank account of the contract, replaced since: it keeps its cheque."""
    method = PaymentMethod(
        organization=contract.organization,
        subscription=contract,
        person=contract.person,
        kind="pad",
        status=PaymentMethod.Status.REPLACED,
        bank_institution="815",
        bank_transit="30001",
        bank_account_encrypted="gAAAA-secret-ciphertext",
        bank_account_last_digits=last_digits,
        holder_name="Marie Tremblay",
    )
    method.cheque_specimen.save("cheque.png", ContentFile(PNG), save=False)
    method.save()
    return method


@within_its_institution
def contract_ended(
    offer: Offer, *, person: User, ended_on: dt.date, at: dt.datetime
) -> Subscription:
    """A contract of `offer` sent at `at`, which ended on `ended_on`."""
    contract = submitted_request(offer, person=person, at=at, start=at.date())
    Subscription.objects.filter(pk=contract.pk).update(
        status=Subscription.Status.ENDED, end_date=ended_on
    )
    contract.refresh_from_db()
    return contract


@within_its_institution
def holder_make(
    offer: Offer,
    *,
    email: str = "marie@example.com",
    plate: str = "abc-123",
    ended_on: dt.date = ENDED_ON,
) -> Holder:
    person = person_make(email)
    at = NOW - dt.timedelta(days=70)
    vehicle = vehicle_add(owner=person, data=corolla(plate=plate), actor=person, now=at)
    vehicle_update(vehicle=vehicle, data=corolla(plate=plate, colour="Rouge"), actor=person, now=at)
    contract = contract_ended(offer, person=person, ended_on=ended_on, at=at)
    invoice = invoice_for(contract, paid_at=at, period_start=at.date())
    card = card_of(contract)
    PaymentMethod.objects.filter(pk=card.pk).update(
        data_key="dk-secret-vault-key", card_expiry="2811"
    )
    attempt_on(invoice, status=PaymentAttempt.Status.APPROVED, message="APPROVED")
    OutboundEmail.objects.create(  # what the submission's task sends, after commit
        organization=offer.organization,
        from_email="no-reply@parcauto.ca",
        to=email,
        subject="Votre demande est reçue",
        body_text=f"Bonjour, votre demande {contract.contract_number} est reçue.",
    )
    return Holder(
        person=person,
        contract=contract,
        invoice=invoice,
        bank_account=bank_account_of(contract),
        vehicle=vehicle,
    )
