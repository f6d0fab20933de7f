"""Moneris' test-environment answers, as pure functions shared by the sandbox and the tests.

Moneris' test host decides a charge's outcome from its amount (the "penny value
simulator", DOMAIN_RULES 2.8); the sandbox and the local Moneris server of the test
suite apply the same rules, so a test written against one holds against the other:

============================  ===========================  ========
Amount                        Answer                       Code
============================  ===========================  ========
Visa $51.00 to $60.00         declined (ISO 41)            421
Visa $120.00 to $130.00       declined, expired (ISO 54)   482
x.05                          declined (ISO 05)            481
x.09                          retry / duplicate (ISO 09)   078
anything else (x.00 first)    approved (ISO 00)            027
============================  ===========================  ========

Moneris calls the other cent values "not predictable"; the sandbox approves them so a
prorated amount such as $43.27 behaves. As at Moneris, a response code below 50 is an
approval.

Test cards (any expiry in the future, any 3-digit CVD, 4 digits for Amex):

===================  ==========  ===================================================
Number               Brand       Behaviour
===================  ==========  ===================================================
4242 4242 4242 4242  Visa        approves (the amount rules above apply)
5454 5454 5454 5454  Mastercard  approves (the amount rules above apply)
3714 496353 98431    Amex        approves (the amount rules above apply)
4000 0000 0000 0002  Visa        always declined: refused when it is stored
4000 0000 0000 0069  Visa        expired: refused when it is stored
4000 0000 0000 0341  Visa        stored fine, every charge declined (481)
4000 0000 0000 0119  Visa        stored fine, every charge times out after it was made
===================  ==========  ===================================================

Any other number that passes the Luhn check approves like 4242 4242 4242 4242.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from parcauto.core import checkdigits
from parcauto.core.params import ascii_digits

from .base import EXPIRED_CARD_CODE


class Behaviour(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    EXPIRED = "expired"
    DECLINE_CHARGES = "decline_charges"
    TIMEOUT = "timeout"


class Brand(StrEnum):
    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    OTHER = "other"


TEST_CARDS: dict[str, Behaviour] = {
    "4242424242424242": Behaviour.APPROVE,
    "5454545454545454": Behaviour.APPROVE,
    "371449635398431": Behaviour.APPROVE,
    "4000000000000002": Behaviour.DECLINE,
    "4000000000000069": Behaviour.EXPIRED,
    "4000000000000341": Behaviour.DECLINE_CHARGES,
    "4000000000000119": Behaviour.TIMEOUT,
}

# Moneris' approval threshold: codes 000-049 approve, 050 and above decline.
APPROVAL_LIMIT = 50


@dataclass(frozen=True)
class Answer:
    response_code: str
    iso: str
    message: str

    @property
    def approved(self) -> bool:
        return response_approved(self.response_code)


APPROVED = Answer("027", "00", "APPROVED           *                    =")
DECLINED = Answer("481", "05", "DECLINED           *                    =")
RETRY = Answer("078", "09", "RETRY              *                    =")
DECLINED_VISA_RANGE = Answer("421", "41", "DECLINED           *                    =")
EXPIRED_CARD = Answer(EXPIRED_CARD_CODE, "54", "EXPIRED CARD       *                    =")
ANSWERS = {
    answer.response_code: answer
    for answer in (APPROVED, DECLINED, RETRY, DECLINED_VISA_RANGE, EXPIRED_CARD)
}


def response_approved(response_code: str) -> bool:
    """Moneris' rule: a numeric code under 50 is an approval ("null" is not)."""
    return ascii_digits(response_code) and int(response_code) < APPROVAL_LIMIT


def answer_for_code(response_code: str) -> Answer:
    """The answer a stored response code stands for (the sandbox keeps only the code)."""
    return ANSWERS.get(response_code, DECLINED)


def charge_answer(*, amount: Decimal, brand: str, behaviour: str = Behaviour.APPROVE) -> Answer:
    """What Moneris' test host answers to a charge of `amount` on a card of `brand`."""
    if behaviour in {Behaviour.DECLINE, Behaviour.DECLINE_CHARGES}:
        return DECLINED
    if behaviour == Behaviour.EXPIRED:
        return EXPIRED_CARD
    if brand == Brand.VISA and Decimal("51.00") <= amount <= Decimal("60.00"):
        return DECLINED_VISA_RANGE
    if brand == Brand.VISA and Decimal("120.00") <= amount <= Decimal("130.00"):
        return EXPIRED_CARD
    cents = int(amount * 100) % 100
    if cents == 5:
        return DECLINED
    if cents == 9:
        return RETRY
    return APPROVED


def verification_answer(*, behaviour: str) -> Answer:
    """The card verification made before a card is stored (credential on file, first use)."""
    if behaviour == Behaviour.DECLINE:
        return DECLINED
    if behaviour == Behaviour.EXPIRED:
        return EXPIRED_CARD
    return APPROVED


def luhn_valid(number: str) -> bool:
    """A card number as the gateway takes it: 12 to 19 digits ending in their check digit."""
    return ascii_digits(number) and 12 <= len(number) <= 19 and checkdigits.luhn_valid(number)


def card_brand(number: str) -> Brand:
    """The brand from the first digits (the BIN)."""
    if number.startswith("4"):
        return Brand.VISA
    if number[:2] in {"34", "37"}:
        return Brand.AMEX
    if ascii_digits(number[:2]) and 51 <= int(number[:2]) <= 55:
        return Brand.MASTERCARD
    if ascii_digits(number[:4]) and 2221 <= int(number[:4]) <= 2720:
        return Brand.MASTERCARD
    return Brand.OTHER


def card_behaviour(number: str) -> Behaviour:
    return TEST_CARDS.get(number, Behaviour.APPROVE)
