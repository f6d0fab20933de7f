"""Two runs collecting at once (two workers, a retried task): one file per date, each
invoice in one file, file numbers that follow each other without a gap or a repeat."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from parcauto.billing.services.collect_pad import pad_collect
from parcauto.payments.models import CollectionFile, PadOriginator, PaymentAttempt
from tests.concurrency import run_together

from .conftest import NOW
from .factories import invoice_make, originator_make, pad_agreement_make, pad_contract_make

JULY, AUGUST = dt.date(2026, 7, 1), dt.date(2026, 8, 1)


def _run_together(organization, dates: list[dt.date]) -> list[BaseException]:
    runs = [
        partial(pad_collect, organization=organization, collection_date=day, now=NOW)
        for day in dates
    ]
    outcomes = run_together(organization, runs)
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_make_one_file_per_date_and_number_them_in_order(organization) -> None:
    pad_agreement_make(organization)
    originator_make(organization)
    invoices = []
    for index, account in enumerate(["1111111", "2222222", "3333333"]):
        contract = pad_contract_make(
            organization, first_name=f"Client{index}", last_name="Roy", account=account
        )
        invoices += [invoice_make(contract, due=JULY), invoice_make(contract, due=AUGUST)]

    assert _run_together(organization, [JULY, JULY, JULY, AUGUST, AUGUST, AUGUST]) == []

    files = list(CollectionFile.objects.order_by("file_number"))
    assert len(files) in (1, 2)  # August's run may come first and take July's too
    assert len({f.collection_date for f in files}) == len(files)
    assert [f.file_number for f in files] == list(range(1, len(files) + 1))
    assert PadOriginator.objects.get(organization=organization).last_file_number == len(files)
    # Every invoice went out exactly once.
    assert sorted(PaymentAttempt.objects.values_list("invoice_id", flat=True)) == sorted(
        invoice.pk for invoice in invoices
    )
    assert sum(f.record_count for f in files) == len(invoices)
