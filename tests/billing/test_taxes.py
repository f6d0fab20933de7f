"""Taxes with the rates in force on a day: the three parts always add up to the total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcauto.billing.models import TaxRate
from parcauto.billing.taxes import NoTaxRate, tax_rates_forget, tax_split_on
from parcauto.core.money import TaxSplit, split_taxes

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
days = st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2100, 12, 31))


def test_the_migration_seeds_the_quebec_rates() -> None:
    assert set(TaxRate.objects.values_list("tax", "rate", "effective_from")) >= {
        ("gst", Decimal("5.000"), dt.date(2008, 1, 1)),
        ("qst", Decimal("9.975"), dt.date(2013, 1, 1)),
    }


def test_a_tax_included_price_is_split_back_with_half_up_rounding() -> None:
    # 100,00 $ x 5 / 114,975 = 4,3487 -> 4,35; x 9,975 / 114,975 = 8,6758 -> 8,68.
    split = tax_split_on(amount=Decimal("100.00"), day=dt.date(2026, 7, 1), taxable=True)
    assert split == TaxSplit(pre_tax=Decimal("86.97"), gst=Decimal("4.35"), qst=Decimal("8.68"))


def test_an_exempt_amount_carries_no_tax() -> None:
    split = tax_split_on(amount=Decimal("45.00"), day=dt.date(2026, 7, 1), taxable=False)
    assert split == TaxSplit(pre_tax=Decimal("45.00"), gst=Decimal("0.00"), qst=Decimal("0.00"))


def test_a_new_rate_applies_from_its_date_only() -> None:
    TaxRate.objects.create(
        tax=TaxRate.Tax.QST, rate=Decimal("10"), effective_from=dt.date(2027, 1, 1)
    )
    tax_rates_forget()
    before = tax_split_on(amount=Decimal("115.00"), day=dt.date(2026, 12, 31), taxable=True)
    after = tax_split_on(amount=Decimal("115.00"), day=dt.date(2027, 1, 1), taxable=True)
    assert before == split_taxes(Decimal("115.00"))
    # 115 x 5 / 115 = 5,00 and 115 x 10 / 115 = 10,00.
    assert after == TaxSplit(pre_tax=Decimal("100.00"), gst=Decimal("5.00"), qst=Decimal("10.00"))


def test_a_day_before_any_rate_is_refused() -> None:
    with pytest.raises(NoTaxRate):
        tax_split_on(amount=Decimal("10.00"), day=dt.date(2012, 12, 31), taxable=True)


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        tax_split_on(amount=10.5, day=dt.date(2026, 7, 1), taxable=True)  # type: ignore[arg-type]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(amount=amounts, day=days)
def test_gst_qst_and_pre_tax_add_up_to_the_total(amount: Decimal, day: dt.date) -> None:
    split = tax_split_on(amount=amount, day=day, taxable=True)
    assert split.pre_tax + split.gst + split.qst == amount
    assert split.gst >= 0 and split.qst >= 0 and split.pre_tax >= 0
    # Today's table is the one core.money hard-codes: the two agree.
    assert split == split_taxes(amount)
