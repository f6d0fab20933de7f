"""The operator's pages given values no browser sends: a page or a clear error, never a 500.

Before: the invoice search took "²" for a number (`isdigit()`) and `int()` raised; a
23-digit id in the bulk approval overflowed SQLite (`pk__in`); `last_day=9999-12-31` on
the revenue page and its CSV overflowed the day after it.
"""

from __future__ import annotations

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.subscriptions.models import Subscription
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import (  # noqa: F401 - frozen_now reads NOW
    NOW,
    QUEUE,
    submitted_request,
)
from tests.backoffice.test_approval_queue import (
    chus,  # noqa: F401 - the CHUS offer
    flashed,
)
from tests.backoffice.test_billing_pages import BILLING
from tests.pages import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOT_IDS = ["²", "①", "\u0663", "1" * 23, "9223372036854775808", "-1", "0", "a\x00b", "x" * 10_000]
NOT_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "99999-01-01", "²", "x" * 10_000]
REVENUE = f"{BILLING}revenus/"
OUT_OF_RANGE = "Entrez une date entre le 1er janvier 2000 et le 31 décembre 2100."


@pytest.mark.parametrize("name", ["first_day", "last_day"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_revenue_dates_out_of_2000_2100_are_refused_on_the_page(operator, name, day):
    query = {"first_day": "2026-06-01", "last_day": "2026-06-30"} | {name: day}
    response = signed_in(operator).get(REVENUE, query)
    assert response.status_code == 200
    assert OUT_OF_RANGE in text(response)
    assert response.context["revenue"].rows == []


@pytest.mark.parametrize("name", ["first_day", "last_day"])
@pytest.mark.parametrize("day", NOT_DATES)
def test_the_revenue_csv_of_impossible_dates_is_an_empty_report(operator, name, day):
    query = {"first_day": "2026-06-01", "last_day": "2026-06-30"} | {name: day}
    response = signed_in(operator).get(f"{REVENUE}export.csv", query)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Établissement;")
    assert lines[1:] == ["Total;;;0;0,00;0,00;0,00;0,00"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_invoice_search_takes_what_is_no_number_for_an_email(manager, value):
    response = signed_in(manager).get(f"{BILLING}factures/", {"text": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", NOT_IDS)
def test_bulk_approval_of_ids_that_are_no_ids_changes_nothing(manager, chus, value):  # noqa: F811
    request = submitted_request(chus)
    before = (snapshot(Subscription), snapshot(AuditEvent))
    response = signed_in(manager).post(
        f"{QUEUE}approuver/", {"subscriptions": [request.pk, value], "confirm": "1"}
    )
    assert response.status_code == 302
    assert flashed(response) == ["Une des demandes choisies est introuvable."]
    assert (snapshot(Subscription), snapshot(AuditEvent)) == before


@pytest.mark.parametrize("name", ["organization", "lot", "category", "product"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_queue_filter_that_is_no_id_is_ignored(manager, chus, name, value):  # noqa: F811
    request = submitted_request(chus)
    response = signed_in(manager).get(QUEUE, {name: value})
    assert response.status_code == 200
    assert list(response.context["page"]) == [request]


@pytest.mark.parametrize("name", ["submitted_from", "submitted_to"])
@pytest.mark.parametrize("day", NOT_DATES)
def test_a_queue_date_filter_out_of_any_calendar_is_ignored(manager, chus, name, day):  # noqa: F811
    request = submitted_request(chus)
    response = signed_in(manager).get(QUEUE, {name: day})
    assert response.status_code == 200
    assert list(response.context["page"]) == [request]
