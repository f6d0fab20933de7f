"""Revenue by institution, lot and product: the table, its totals, the chart and the CSV.

Paid invoices count on the Quebec day they were paid; anything not paid is left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal as D

import pytest

from parcauto.billing.models import Invoice
from parcauto.core.clock import LOCAL_TZ
from tests.backoffice.conftest import signed_in
from tests.backoffice.requests import TODAY, offer_of, submitted_request
from tests.backoffice.test_billing_pages import (
    BILLING,
    NOW,  # noqa: F401 - frozen_now stops the clock there for every test here
    contract,
    invoice_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

REVENUE = f"{BILLING}revenus/"
JUNE = "first_day=2026-06-01&last_day=2026-06-30"


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def june(organization, other_organization) -> None:
    """CHUS: lot 1085 (two invoices) and lot 1086; CISSSO: one; and what must not count."""
    offer = offer_of(organization)
    first, second = submitted_request(offer), submitted_request(offer)
    invoice_for(first, amount="114.98", paid_at=local(1, 0, 5))  # first minute of June
    invoice_for(second, amount="57.49", paid_at=local(30, 23, 55))  # last minute of June
    other_lot = contract(organization, lot_number="1086", product_number="5570", category_name="B")
    invoice_for(other_lot, amount="229.95", paid_at=local(15, 12))
    invoice_for(contract(other_organization), amount="34.49", paid_at=local(10, 9))
    # Not counted: paid the day before or after June (Quebec time), or not paid.
    invoice_for(
        first,
        amount="10.00",
        paid_at=local(1, 0) - dt.timedelta(minutes=1),
        period_start=TODAY - dt.timedelta(days=31),
    )
    invoice_for(
        second,
        amount="10.00",
        paid_at=local(30, 23, 59) + dt.timedelta(minutes=2),
        period_start=TODAY + dt.timedelta(days=31),
    )
    invoice_for(other_lot, status=Invoice.Status.FAILED, period_start=TODAY + dt.timedelta(days=1))
    invoice_for(other_lot, status=Invoice.Status.DUE, period_start=TODAY + dt.timedelta(days=2))


def test_the_table_sums_paid_invoices_by_lot_and_product(operator, june):
    response = signed_in(operator).get(f"{REVENUE}?{JUNE}")
    revenue = response.context["revenue"]
    assert [
        (r.organization, r.lot[:4], r.product[:4], r.invoices, r.total) for r in revenue.rows
    ] == [
        ("CISSS de l'Outaouais", "1085", "5569", 1, D("34.49")),
        ("CIUSSS de l'Estrie - CHUS", "1085", "5569", 2, D("172.47")),
        ("CIUSSS de l'Estrie - CHUS", "1086", "5570", 1, D("229.95")),
    ]
    chus = revenue.rows[1]
    assert (chus.pre_tax, chus.gst, chus.qst) == (D("150.00"), D("7.50"), D("14.97"))
    assert revenue.total == sum(r.pre_tax + r.gst + r.qst for r in revenue.rows)
    page = response.content.decode()
    assert "436,91\u00a0$" in page  # 34.49 + 172.47 + 229.95


def test_institution_staff_see_only_their_institution(manager, june):
    revenue = signed_in(manager).get(f"{REVENUE}?{JUNE}").context["revenue"]
    assert [r.total for r in revenue.rows] == [D("172.47"), D("229.95")]
    assert revenue.invoices == 3


def test_the_range_defaults_to_this_month_so_far(manager, june):
    response = signed_in(manager).get(REVENUE)
    form = response.context["form"]
    assert (form.cleaned_data["first_day"], form.cleaned_data["last_day"]) == (
        dt.date(2026, 6, 1),
        TODAY,
    )
    # Today is 1 June 10:00: only the payment of 00:05 is in.
    assert [r.total for r in response.context["revenue"].rows] == [D("114.98")]


def test_an_end_before_the_start_is_refused_and_nothing_is_shown(manager, june):
    response = signed_in(manager).get(f"{REVENUE}?first_day=2026-06-30&last_day=2026-06-01")
    assert response.context["revenue"].rows == []
    assert response.context["form"].errors["last_day"] == [
        "La date de fin ne peut pas être avant la date de début."
    ]
    assert "export.csv" not in response.content.decode()


def test_the_chart_draws_one_bar_per_row_in_proportion(operator, june):
    response = signed_in(operator).get(f"{REVENUE}?{JUNE}")
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="revenue-chart-title revenue-chart-desc"' in svg
    assert '<title id="revenue-chart-title">' in svg
    assert "436,91\u00a0$" in svg[svg.index("<desc") :]
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    # 34.49, 172.47 and 229.95 against the largest (440 units).
    assert widths == [int(34.49 / 229.95 * 440), int(172.47 / 229.95 * 440), 440]
    assert "<script" not in svg and "style=" not in svg


def test_no_chart_without_payments(manager):
    page = signed_in(manager).get(f"{REVENUE}?{JUNE}").content.decode()
    assert "<svg" not in page
    assert "Aucun paiement reçu pendant cette période." in page


def test_the_csv_is_made_for_quebec_excel(operator, june):
    response = signed_in(operator).get(f"{REVENUE}export.csv?{JUNE}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="revenus-2026-06-01-au-2026-06-30.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body[1:].split("\r\n")
    assert lines == [
        "Établissement;Stationnement;Permis;Factures payées;Avant taxes;TPS;TVQ;Total",
        "CISSS de l'Outaouais;1085 - CIUSSS de l'Estrie - CHUS;5569 - Permis G (général zone 1);"
        "1;30,00;1,50;2,99;34,49",
        "CIUSSS de l'Estrie - CHUS;1085 - CIUSSS de l'Estrie - CHUS;"
        "5569 - Permis G (général zone 1);2;150,00;7,50;14,97;172,47",
        "CIUSSS de l'Estrie - CHUS;1086 - CIUSSS de l'Estrie - CHUS;"
        "5570 - Permis G (général zone 1);1;200,00;10,00;19,95;229,95",
        "Total;;;4;380,00;19,00;37,91;436,91",
        "",
    ]


def test_the_csv_stays_in_french_when_the_page_is_in_english(operator, june):
    operator.language = "en"
    operator.save(update_fields=["language"])
    body = signed_in(operator).get(f"{REVENUE}export.csv?{JUNE}").content.decode()
    assert body.startswith("\ufeffÉtablissement;")
    assert body.rstrip().endswith("Total;;;4;380,00;19,00;37,91;436,91")


def test_the_page_in_english_shows_english_amounts(operator, june):
    operator.language = "en"
    operator.save(update_fields=["language"])
    page = signed_in(operator).get(f"{REVENUE}?{JUNE}").content.decode()
    assert "$436.91" in page


def test_a_name_excel_would_run_as_a_formula_is_quoted_out(manager, organization):
    invoice_for(contract(organization), paid_at=local(1, 9))
    organization.name_fr = '=HYPERLINK("http://evil.example")'
    organization.save(update_fields=["name_fr"])
    body = signed_in(manager).get(f"{REVENUE}export.csv?{JUNE}").content.decode()
    [_headers, row, _total] = csv.reader(body[1:].splitlines(), delimiter=";")
    assert row[0] == '\'=HYPERLINK("http://evil.example")'
