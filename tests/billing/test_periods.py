"""The collection calendar: which charge falls on which date, for how much, with which taxes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from parcauto.billing.periods import ScheduledCharge, collection_calendar
from parcauto.billing.proration import Period
from parcauto.billing.taxes import tax_split_on
from parcauto.core.money import TaxSplit
from parcauto.subscriptions.models import Subscription

D = Decimal
NO_TAX = (D("0.00"), D("0.00"))


@dataclass(frozen=True)
class Terms:
    start_date: dt.date
    billing_frequency: str
    price: Decimal
    end_date: dt.date | None = None
    taxable: bool = True


def _rows(charges: list[ScheduledCharge]) -> list[tuple[dt.date, Period | None, Decimal]]:
    return [(charge.due_on, charge.period, charge.amount) for charge in charges]


def test_a_monthly_permit_is_prorated_then_billed_on_the_first() -> None:
    terms = Terms(dt.date(2026, 6, 15), "monthly", D("23.08"))
    charges = collection_calendar(terms, horizon=dt.date(2026, 9, 1))
    assert _rows(charges) == [
        (dt.date(2026, 6, 15), Period(dt.date(2026, 6, 15), dt.date(2026, 6, 30)), D("12.31")),
        (dt.date(2026, 7, 1), Period(dt.date(2026, 7, 1), dt.date(2026, 7, 31)), D("23.08")),
        (dt.date(2026, 8, 1), Period(dt.date(2026, 8, 1), dt.date(2026, 8, 31)), D("23.08")),
        (dt.date(2026, 9, 1), Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30)), D("23.08")),
    ]


def _taxes(charge: ScheduledCharge, terms: Terms) -> TaxSplit:
    # As the calendar's readers split a charge: with the rates of its period.
    day = charge.period.start if charge.period is not None else charge.due_on
    return tax_split_on(amount=charge.amount, day=day, taxable=terms.taxable)


@pytest.mark.django_db
def test_each_taxable_charge_shows_its_gst_and_qst() -> None:
    terms = Terms(dt.date(2026, 6, 15), "monthly", D("23.08"))
    first, second = collection_calendar(terms, horizon=dt.date(2026, 7, 1))
    # 12,31 $ = 10,70 $ + 0,54 $ GST + 1,07 $ QST; 23,08 $ = 20,08 $ + 1,00 $ + 2,00 $
    assert _taxes(first, terms) == TaxSplit(D("10.70"), D("0.54"), D("1.07"))
    assert _taxes(second, terms) == TaxSplit(D("20.08"), D("1.00"), D("2.00"))
    assert _taxes(first, terms).total == first.amount
    assert _taxes(second, terms).total == second.amount


@pytest.mark.django_db
def test_an_exempt_charge_carries_no_tax() -> None:
    terms = Terms(dt.date(2026, 6, 1), "monthly", D("23.08"), taxable=False)
    (charge,) = collection_calendar(terms, horizon=dt.date(2026, 6, 30))
    assert _taxes(charge, terms) == TaxSplit(D("23.08"), *NO_TAX)


def test_a_monthly_permit_with_an_end_date_prorates_its_last_month() -> None:
    terms = Terms(dt.date(2026, 6, 1), "monthly", D("31.00"), end_date=dt.date(2026, 7, 10))
    assert _rows(collection_calendar(terms, horizon=dt.date(2027, 1, 1))) == [
        (dt.date(2026, 6, 1), Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)), D("31.00")),
        (dt.date(2026, 7, 1), Period(dt.date(2026, 7, 1), dt.date(2026, 7, 10)), D("10.00")),
    ]


def test_a_lot_without_proration_bills_a_full_first_month() -> None:
    terms = Terms(dt.date(2026, 6, 15), "monthly", D("23.08"))
    charges = collection_calendar(terms, horizon=dt.date(2026, 7, 1), prorate_first=False)
    assert [charge.amount for charge in charges] == [D("23.08"), D("23.08")]


def test_the_horizon_is_inclusive_and_nothing_falls_before_the_start() -> None:
    terms = Terms(dt.date(2026, 6, 15), "monthly", D("23.08"))
    assert _rows(collection_calendar(terms, horizon=dt.date(2026, 6, 15)))[0][0] == dt.date(
        2026, 6, 15
    )
    assert len(collection_calendar(terms, horizon=dt.date(2026, 6, 30))) == 1
    assert collection_calendar(terms, horizon=dt.date(2026, 6, 14)) == []


@pytest.mark.django_db
def test_a_term_permit_is_billed_once_on_its_start_date() -> None:
    terms = Terms(dt.date(2026, 8, 25), "per_term", D("245.50"), end_date=dt.date(2026, 12, 19))
    (charge,) = collection_calendar(terms, horizon=dt.date(2027, 6, 1))
    assert charge == ScheduledCharge(
        dt.date(2026, 8, 25),
        Period(dt.date(2026, 8, 25), dt.date(2026, 12, 19)),
        D("245.50"),
    )
    assert _taxes(charge, terms) == TaxSplit(D("213.52"), D("10.68"), D("21.30"))


def test_a_one_time_bundle_without_dates_is_billed_once_for_no_period() -> None:
    terms = Terms(dt.date(2026, 6, 15), "one_time", D("50.00"))
    assert _rows(collection_calendar(terms, horizon=dt.date(2026, 6, 15))) == [
        (dt.date(2026, 6, 15), None, D("50.00"))
    ]
    assert collection_calendar(terms, horizon=dt.date(2026, 6, 14)) == []


def test_a_free_permit_has_nothing_to_collect() -> None:
    terms = Terms(dt.date(2026, 6, 15), "monthly", D("0.00"))
    assert collection_calendar(terms, horizon=dt.date(2026, 12, 31)) == []


def test_it_reads_a_subscription_as_sold() -> None:
    subscription = Subscription(
        start_date=dt.date(2026, 6, 15),
        end_date=None,
        billing_frequency="monthly",
        price=D("23.08"),
        taxable=True,
    )
    charges = collection_calendar(subscription, horizon=dt.date(2026, 7, 1))
    assert [charge.amount for charge in charges] == [D("12.31"), D("23.08")]


def test_it_refuses_contracts_it_cannot_schedule() -> None:
    horizon = dt.date(2027, 1, 1)
    with pytest.raises(ValueError, match="needs an end date"):
        collection_calendar(Terms(dt.date(2026, 6, 1), "per_term", D("10.00")), horizon=horizon)
    with pytest.raises(ValueError, match="unknown billing frequency 'weekly'"):
        collection_calendar(Terms(dt.date(2026, 6, 1), "weekly", D("10.00")), horizon=horizon)
    with pytest.raises(ValueError, match="before it starts"):
        collection_calendar(
            Terms(dt.date(2026, 6, 1), "monthly", D("10.00"), end_date=dt.date(2026, 5, 1)),
            horizon=horizon,
        )
    with pytest.raises(TypeError, match="Decimal, not float"):
        collection_calendar(Terms(dt.date(2026, 6, 1), "monthly", 10.0), horizon=horizon)  # type: ignore[arg-type]
