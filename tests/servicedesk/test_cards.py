"""Card numbers found in free text (rule 56), and only card numbers."""

from __future__ import annotations

import pytest

from parcauto.core.checkdigits import luhn_valid
from parcauto.servicedesk.cards import contains_card_number


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424242",
        "ma carte est 4242 4242 4242 4242, merci",
        "4242-4242-4242-4242",
        "Amex 3714 496353 98431",
        "5555555555554444 exp 12/30",
        "4242 4242 4242 4242 819 555 1234",  # a phone number right after it
        "carte:4000000000000002.",
    ],
)
def test_it_finds_a_card_number_however_it_is_typed(text):
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "4242 4242 4242 4243",  # fails the Luhn check
        "contrats 100014763 et 100014764",  # contract numbers start with 1
        "819-555-1234 poste 1234",
        "plaque ABC123, 2 véhicules, lot 1085",
        "4242 4242 4242",  # 12 digits
        "Demande de modification: contrat: 100014763",
        "4242  4242  4242  4242",  # two spaces: separate numbers, each too short
    ],
)
def test_it_leaves_other_numbers_alone(text):
    assert not contains_card_number(text)


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
