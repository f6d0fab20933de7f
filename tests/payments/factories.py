"""Contracts, invoices and PAD settings for the collection tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from parcauto.billing.models import Invoice
from parcauto.billing.services.collect_pad import pad_confirmation_send
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.money import split_taxes
from parcauto.payments.models import PadOriginator, PaymentMethod, PayrollEmployer
from parcauto.payments.services.pad import pad_method_record
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import LegalText, Organization
from tests.factories import (
    ParkingLotFactory,
    PermitProductFactory,
    ProfileFactory,
    UserCategoryFactory,
)
from tests.payments.conftest import NOW, PDF_BYTES, upload
from tests.scoping import within_its_institution

_numbers = itertools.count(900_000_001)
COLLECTION_DATE = dt.date(2026, 7, 1)  # day 182

PAD_AGREEMENT_FR = (
    "Accord de prélèvement préautorisé. Catégorie\u00a0: personnel ou entreprise. "
    "Montant et moment\u00a0: la mensualité, le 1er du mois. Annulation\u00a0: préavis de "
    "30 jours. Recours\u00a0: www.paiements.ca."
)


@within_its_institution
def contract_make(
    organization: Organization,
    *,
    first_name: str = "Hélène",
    last_name: str = "Côté",
    payment_method: str = PaymentMethodKind.PAD,
    price: Decimal = Decimal("23.08"),
    start: dt.date = dt.date(2026, 7, 1),
) -> Subscription:
    """An active monthly contract whose product and category accept PAD and payroll."""
    lot = ParkingLotFactory(organization=organization)
    category = UserCategoryFactory(
        organization=organization, accepts_payroll=True, requires_employee_number=True
    )
    product = PermitProductFactory(
        organization=organization, accepts_payroll=True, lots=[lot], categories=[category]
    )
    person = ProfileFactory(first_name=first_name, last_name=last_name).user
    return Subscription.objects.create(
        organization=organization,
        contract_number=next(_numbers),
        person=person,
        lot=lot,
        category=category,
        product=product,
        status=Subscription.Status.ACTIVE,
        step=Subscription.Step.PAYMENT,
        start_date=start,
        payment_method=payment_method,
        price=price,
        billing_frequency="monthly",
        employee_number="E-1234",
    )


@within_its_institution
def invoice_make(
    subscription: Subscription,
    *,
    due: dt.date,
    amount: Decimal | None = None,
    status: str = Invoice.Status.DUE,
) -> Invoice:
    total = amount if amount is not None else subscription.price
    taxes = split_taxes(total)
    return Invoice.objects.create(
        organization=subscription.organization,
        number=next(_numbers),
        subscription=subscription,
        period_start=due,
        due_date=due,
        payment_method=subscription.payment_method,
        amount=total,
        pre_tax=taxes.pre_tax,
        gst=taxes.gst,
        qst=taxes.qst,
        status=status,
    )


@within_its_institution
def pad_agreement_make(organization: Organization, *, version: int = 1) -> LegalText:
    return LegalText.objects.create(
        organization=organization,
        kind=LegalText.Kind.PAD_AGREEMENT,
        version=version,
        body_fr=PAD_AGREEMENT_FR,
        body_en="Pre-authorized debit agreement.",
        published_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@within_its_institution
def originator_make(organization: Organization, **changes: object) -> PadOriginator:
    values: dict[str, object] = {
        "originator_id": "PARCAUTO01",
        "destination_data_centre": "81510",
        "short_name": "Stat. CHUS",
        "long_name": "CIUSSS de l'Estrie - CHUS",
        "return_institution": "815",
        "return_transit": "30001",
        "return_account": "7654321",
        "transaction_code": "450",
    }
    values.update(changes)
    return PadOriginator.objects.create(organization=organization, **values)


@within_its_institution
def employer_make(organization: Organization) -> PayrollEmployer:
    # A Thursday: the pay periods of 2026 start on 1 January, 15 January...
    return PayrollEmployer.objects.create(
        organization=organization, employer_code="CHUS01", period_anchor=dt.date(2026, 1, 1)
    )


@within_its_institution
def pad_contract_make(
    organization: Organization,
    *,
    first_name: str,
    last_name: str,
    account: str,
    confirmed_at: dt.datetime = NOW,
    first_debit_on: dt.date = COLLECTION_DATE,
    **changes: Any,
) -> Subscription:
    """A contract paying by PAD, its account recorded and confirmed (rule 27)."""
    contract = contract_make(organization, first_name=first_name, last_name=last_name, **changes)
    method = pad_method_record(
        subscription=contract,
        institution="815",
        transit="30001",
        account=account,
        holder_name=f"{first_name} {last_name}",
        holder_kind=PaymentMethod.HolderKind.PERSONAL,
        cheque_file=upload("specimen.pdf", PDF_BYTES),
        agreement_accepted=True,
        now=confirmed_at,
    )
    pad_confirmation_send(payment_method=method, first_debit_on=first_debit_on, now=confirmed_at)
    return contract
