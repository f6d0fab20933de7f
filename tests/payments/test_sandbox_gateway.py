from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcauto.payments.gateways import get_gateway
from parcauto.payments.gateways.base import CardRejected, Charge, GatewayTimeout
from parcauto.payments.gateways.sandbox import CHUNK, SandboxGateway, sandbox_card_tokenize
from parcauto.payments.models import SandboxCard, SandboxTransaction

pytestmark = pytest.mark.django_db

VISA = "4242424242424242"


def vaulted(number: str = VISA) -> str:
    token = sandbox_card_tokenize(number=number, expiry="3012").token
    return SandboxGateway().vault_add(temporary_token=token, customer_id="contract-1").data_key


def charge(data_key: str, order_id: str = "order-1", amount: str = "10.00") -> Charge:
    return Charge(order_id=order_id, data_key=data_key, amount=Decimal(amount), issuer_id="1")


def test_it_is_the_default_gateway() -> None:
    assert isinstance(get_gateway(), SandboxGateway)


def test_a_temporary_token_becomes_a_data_key_without_the_number() -> None:
    token = sandbox_card_tokenize(number=VISA, expiry="3012").token

    profile = SandboxGateway().vault_add(temporary_token=token, customer_id="contract-1")

    assert token.startswith("ot-")
    assert (profile.brand, profile.last4, profile.expiry) == ("visa", "4242", "3012")
    assert len(profile.issuer_id) == 15
    card = SandboxCard.objects.get()
    assert card.token == profile.data_key and card.permanent
    stored = [str(value) for value in SandboxCard.objects.values_list().get()]
    assert not any(VISA in value for value in stored)


def test_a_temporary_token_is_good_once() -> None:
    token = sandbox_card_tokenize(number=VISA, expiry="3012").token
    SandboxGateway().vault_add(temporary_token=token, customer_id="c")

    with pytest.raises(CardRejected) as refused:
        SandboxGateway().vault_add(temporary_token=token, customer_id="c")

    assert refused.value.response_code == ""
    assert SandboxCard.objects.count() == 1


def test_a_temporary_token_expires_after_15_minutes() -> None:
    start = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        token = sandbox_card_tokenize(number=VISA, expiry="3012").token
    later = start + dt.timedelta(minutes=15, seconds=1)
    with time_machine.travel(later, tick=False), pytest.raises(CardRejected):
        SandboxGateway().vault_add(temporary_token=token, customer_id="c")

    assert not SandboxCard.objects.filter(permanent=True).exists()


@pytest.mark.parametrize(
    ("number", "code"), [("4000000000000002", "481"), ("4000000000000069", "482")]
)
def test_a_declining_card_is_refused_when_stored(number, code) -> None:
    token = sandbox_card_tokenize(number=number, expiry="3012").token

    with pytest.raises(CardRejected) as refused:
        SandboxGateway().vault_add(temporary_token=token, customer_id="c")

    assert refused.value.response_code == code
    assert refused.value.message
    assert not SandboxCard.objects.exists()


def test_purchase_applies_the_penny_rules() -> None:
    key = vaulted()
    gateway = SandboxGateway()

    approved = gateway.purchase(charge(key, "a", "10.00"))
    declined = gateway.purchase(charge(key, "b", "55.00"))

    assert (approved.approved, approved.response_code, approved.duplicate) == (True, "027", False)
    assert approved.reference and approved.auth_code and approved.processed_at
    assert (declined.approved, declined.response_code) == (False, "421")


def test_the_same_order_id_twice_charges_once() -> None:
    key = vaulted()
    gateway = SandboxGateway()
    first = gateway.purchase(charge(key, "order-1", "10.00"))

    again = gateway.purchase(charge(key, "order-1", "10.00"))

    assert again.duplicate
    assert (again.approved, again.reference) == (True, first.reference)
    assert SandboxTransaction.objects.count() == 1


def test_a_timeout_card_records_the_charge_before_losing_the_answer() -> None:
    key = vaulted("4000000000000119")
    gateway = SandboxGateway()

    with pytest.raises(GatewayTimeout):
        gateway.purchase(charge(key, "lost-1", "20.00"))
    found = gateway.status(order_id="lost-1")
    retried = gateway.purchase(charge(key, "lost-1", "20.00"))

    assert found is not None and found.approved
    assert retried.duplicate and retried.reference == found.reference
    assert SandboxTransaction.objects.filter(order_id="lost-1").count() == 1


def test_status_of_an_unknown_order_id_is_none() -> None:
    assert SandboxGateway().status(order_id="never") is None


def test_a_card_that_declines_charges_is_stored_then_declined() -> None:
    key = vaulted("4000000000000341")

    result = SandboxGateway().purchase(charge(key, "x", "10.00"))

    assert (result.approved, result.response_code) == (False, "481")


def test_a_deleted_card_is_declined_and_nothing_is_recorded() -> None:
    key = vaulted()
    gateway = SandboxGateway()
    gateway.vault_delete(data_key=key)

    result = gateway.purchase(charge(key, "after-delete"))

    assert not result.approved
    assert not SandboxCard.objects.exists()
    assert not SandboxTransaction.objects.exists()


def test_purchase_many_answers_in_order_with_one_error_per_lost_answer() -> None:
    visa, lost = vaulted(), vaulted("4000000000000119")
    gateway = SandboxGateway()
    gateway.purchase(charge(visa, "seen", "10.00"))

    outcomes = gateway.purchase_many(
        [
            charge(visa, "m1", "10.00"),
            charge(lost, "m2", "10.00"),
            charge(visa, "seen", "10.00"),
            charge(visa, "m3", "10.05"),
        ]
    )

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "ChargeResult",
        "GatewayTimeout",
        "ChargeResult",
        "ChargeResult",
    ]
    assert outcomes[0].approved and not outcomes[0].duplicate  # type: ignore[union-attr]
    assert outcomes[2].duplicate  # type: ignore[union-attr]
    assert not outcomes[3].approved  # type: ignore[union-attr]
    assert SandboxTransaction.objects.count() == 4


def test_purchase_many_makes_a_fixed_number_of_queries_per_chunk() -> None:
    keys = [vaulted() for _ in range(3)]
    charges = [charge(keys[i % 3], f"q-{i}", "10.00") for i in range(300)]

    with CaptureQueriesContext(connection) as queries:
        outcomes = SandboxGateway().purchase_many(charges)

    assert len(outcomes) == 300
    assert len(queries) <= 4
    assert SandboxTransaction.objects.count() == 300


def test_refunds_never_exceed_the_charge_and_repeat_once() -> None:
    key = vaulted()
    gateway = SandboxGateway()
    paid = gateway.purchase(charge(key, "paid", "30.00"))

    first = gateway.refund(order_id="r1", original=paid, amount=Decimal("20.00"))
    repeated = gateway.refund(order_id="r1", original=paid, amount=Decimal("20.00"))
    too_much = gateway.refund(order_id="r2", original=paid, amount=Decimal("10.01"))
    rest = gateway.refund(order_id="r3", original=paid, amount=Decimal("10.00"))

    assert first.approved and not first.duplicate
    assert repeated.duplicate and repeated.reference == first.reference
    assert not too_much.approved
    assert rest.approved


def test_purchase_many_makes_a_few_queries_per_chunk_whatever_the_count() -> None:
    # Its speed is the billing benchmark's business (make bench); what a test can hold
    # is the shape: a handful of statements per chunk of charges, never one per charge.
    keys = [vaulted() for _ in range(10)]
    charges = [charge(keys[i % 10], f"bulk-{i}", "10.00") for i in range(3 * CHUNK)]

    with CaptureQueriesContext(connection) as one_chunk:
        SandboxGateway().purchase_many(charges[:CHUNK])
    with CaptureQueriesContext(connection) as two_chunks:
        outcomes = SandboxGateway().purchase_many(charges[CHUNK:])

    assert len(outcomes) == 2 * CHUNK
    assert len(one_chunk) <= 5
    assert len(two_chunks) <= 2 * len(one_chunk)


def test_expired_temporary_tokens_are_forgotten() -> None:
    start = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = sandbox_card_tokenize(number=VISA, expiry="3012").token
        kept = vaulted()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        new = sandbox_card_tokenize(number=VISA, expiry="3012").token

    assert set(SandboxCard.objects.values_list("token", flat=True)) == {kept, new}
    assert old not in {kept, new}
