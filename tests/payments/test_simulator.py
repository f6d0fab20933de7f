from __future__ import annotations

from decimal import Decimal

import pytest

from parcauto.payments.gateways import simulator
from parcauto.payments.gateways.simulator import Behaviour, Brand, charge_answer


@pytest.mark.parametrize(
    ("amount", "brand", "code"),
    [
        ("10.00", Brand.VISA, "027"),
        ("1.00", Brand.MASTERCARD, "027"),
        ("10.05", Brand.MASTERCARD, "481"),
        ("0.05", Brand.VISA, "481"),
        ("10.09", Brand.AMEX, "078"),
        ("11.00", Brand.VISA, "027"),
        ("50.99", Brand.VISA, "027"),
        ("51.00", Brand.VISA, "421"),
        ("55.00", Brand.VISA, "421"),
        ("60.00", Brand.VISA, "421"),
        ("60.01", Brand.VISA, "027"),
        ("55.00", Brand.MASTERCARD, "027"),
        ("120.00", Brand.VISA, "482"),
        ("130.00", Brand.VISA, "482"),
        ("125.00", Brand.AMEX, "027"),
        ("43.27", Brand.VISA, "027"),
    ],
)
def test_the_amount_decides_the_answer_as_on_moneris_test_host(amount, brand, code) -> None:
    answer = charge_answer(amount=Decimal(amount), brand=brand)

    assert answer.response_code == code
    assert answer.approved is (int(code) < 50)


def test_a_code_under_50_is_an_approval_and_null_is_not() -> None:
    assert simulator.response_approved("000")
    assert simulator.response_approved("049")
    assert not simulator.response_approved("050")
    assert not simulator.response_approved("null")
    assert not simulator.response_approved("")


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        (Behaviour.DECLINE, "481"),
        (Behaviour.DECLINE_CHARGES, "481"),
        (Behaviour.EXPIRED, "482"),
        (Behaviour.TIMEOUT, "027"),
    ],
)
def test_test_cards_override_the_amount(behaviour, code) -> None:
    assert (
        charge_answer(amount=Decimal("10.00"), brand=Brand.VISA, behaviour=behaviour).response_code
        == code
    )


def test_only_declining_and_expired_cards_fail_verification() -> None:
    assert not simulator.verification_answer(behaviour=Behaviour.DECLINE).approved
    assert not simulator.verification_answer(behaviour=Behaviour.EXPIRED).approved
    assert simulator.verification_answer(behaviour=Behaviour.DECLINE_CHARGES).approved
    assert simulator.verification_answer(behaviour=Behaviour.TIMEOUT).approved


def test_every_documented_test_card_passes_luhn_and_has_its_brand() -> None:
    brands = {number: simulator.card_brand(number) for number in simulator.TEST_CARDS}

    assert all(simulator.luhn_valid(number) for number in simulator.TEST_CARDS)
    assert brands["4242424242424242"] == Brand.VISA
    assert brands["5454545454545454"] == Brand.MASTERCARD
    assert brands["371449635398431"] == Brand.AMEX


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("2221000000000009", Brand.MASTERCARD),
        ("2720990000000007", Brand.MASTERCARD),
        ("2721000000000004", Brand.OTHER),
        ("340000000000009", Brand.AMEX),
        ("6011000990139424", Brand.OTHER),
    ],
)
def test_the_brand_comes_from_the_bin(number, brand) -> None:
    assert simulator.card_brand(number) == brand


@pytest.mark.parametrize(
    "number", ["4242424242424241", "4242", "42424242424242424242", "4242x42424242424", ""]
)
def test_luhn_refuses_wrong_numbers(number) -> None:
    assert not simulator.luhn_valid(number)


def test_an_unknown_valid_number_approves() -> None:
    assert simulator.card_behaviour("4111111111111111") == Behaviour.APPROVE
    assert simulator.card_behaviour("4000000000000341") == Behaviour.DECLINE_CHARGES
