"""Money helpers: the tax split always adds up, amounts read the Quebec way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcauto.core.money import TaxSplit, format_money, format_rate, split_taxes, to_cents
from tests.pages import NBSP

CENT = Decimal("0.01")
# Any tax-included price from 0 to a million dollars, to the cent.
prices = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)


@given(prices)
def test_the_parts_always_add_up_to_the_price(price: Decimal) -> None:
    split = split_taxes(price)
    assert split.pre_tax + split.gst + split.qst == price
    assert split.total == price


@given(prices)
def test_every_part_is_in_cents_and_never_negative(price: Decimal) -> None:
    for part in split_taxes(price):
        assert part == part.quantize(CENT)
        assert part >= 0


@given(prices)
def test_each_tax_is_within_a_cent_of_its_rate_on_the_pre_tax_amount(price: Decimal) -> None:
    # Rule 1: GST = 5 % and QST = 9.975 % of the price before taxes (no tax on tax).
    split = split_taxes(price)
    assert abs(split.gst - to_cents(split.pre_tax * Decimal("0.05"))) <= CENT
    assert abs(split.qst - to_cents(split.pre_tax * Decimal("0.09975"))) <= CENT


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        # The guide's monthly price: 22,92 $ = 19,93 $ + 1,00 $ GST + 1,99 $ QST.
        ("22.92", TaxSplit(Decimal("19.93"), Decimal("1.00"), Decimal("1.99"))),
        ("114.98", TaxSplit(Decimal("100.00"), Decimal("5.00"), Decimal("9.98"))),
        ("1234.50", TaxSplit(Decimal("1073.71"), Decimal("53.69"), Decimal("107.10"))),
        ("0", TaxSplit(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))),
    ],
)
def test_known_prices_split_as_expected(price: str, expected: TaxSplit) -> None:
    assert split_taxes(Decimal(price)) == expected


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="never a float"):
        split_taxes(22.92)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="never a float"):
        format_money(22.92, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "french", "english"),
    [
        ("1234.5", f"1{NBSP}234,50{NBSP}$", "$1,234.50"),
        ("22.92", f"22,92{NBSP}$", "$22.92"),
        ("0", f"0,00{NBSP}$", "$0.00"),
        ("1234567.891", f"1{NBSP}234{NBSP}567,89{NBSP}$", "$1,234,567.89"),
        ("-5.005", f"-5,01{NBSP}$", "-$5.01"),
        ("999.995", f"1{NBSP}000,00{NBSP}$", "$1,000.00"),
    ],
)
def test_money_reads_the_quebec_way(amount: str, french: str, english: str) -> None:
    assert format_money(Decimal(amount), "fr") == french
    assert format_money(Decimal(amount), "en") == english


@given(prices)
def test_french_money_reads_back_as_the_amount(price: Decimal) -> None:
    text = format_money(price, "fr")
    assert text.endswith(f"{NBSP}$")
    assert Decimal(text.removesuffix(f"{NBSP}$").replace(NBSP, "").replace(",", ".")) == price


def test_rates_are_printed_without_trailing_zeros() -> None:
    assert format_rate(Decimal("9.975"), "fr") == f"9,975{NBSP}%"
    assert format_rate(Decimal("5"), "fr") == f"5{NBSP}%"
    assert format_rate(Decimal("9.975"), "en") == "9.975%"
