"""Sequential numbers: the first is `start`, then one more each time, without a savepoint."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parcauto.core.sequences import sequence_next

pytestmark = pytest.mark.django_db


def test_the_first_number_is_the_start_then_each_call_adds_one():
    assert sequence_next(name="contract", start=100) == 100
    assert sequence_next(name="contract", start=100) == 101
    assert sequence_next(name="other", start=7) == 7


def test_inside_the_callers_transaction_it_is_one_statement():
    sequence_next(name="contract", start=100)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert sequence_next(name="contract", start=100) == 101
    assert [query["sql"].split()[0] for query in queries] == ["UPDATE"]


def test_a_rolled_back_transaction_hands_its_number_out_again():
    sequence_next(name="contract", start=100)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(name="contract", start=100) == 101
        raise RuntimeError
    assert sequence_next(name="contract", start=100) == 101
