"""The daily run is a periodic task; the command runs it for a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from parcauto.billing.models import BillingRun, Invoice
from parcauto.billing.tasks import run_billing
from parcauto.core.scheduler import periodic_tasks
from tests.billing.conftest import contract

pytestmark = pytest.mark.django_db


def test_the_run_is_scheduled_daily_at_2_in_quebec():
    jobs = {job.name: job for job in periodic_tasks()}
    billing = jobs["parcauto.billing.tasks.run_billing"]
    assert billing.schedule == "0 2 * * *"
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert billing.next_slot(summer) == dt.datetime(2026, 7, 2, 6, 0, tzinfo=dt.UTC)  # EDT
    winter = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    assert billing.next_slot(winter) == dt.datetime(2026, 12, 2, 7, 0, tzinfo=dt.UTC)  # EST


def test_the_task_runs_the_billing_of_today():
    run_id = run_billing.call()
    run = BillingRun.objects.get(pk=run_id)
    assert run.status == BillingRun.Status.FINISHED
    assert run.finished_at is not None


def test_the_command_bills_the_date_it_is_given(product, capsys):
    subscription = contract(product, start=dt.date(2026, 6, 15))
    call_command("run_billing", "--date", "2026-07-01")
    assert Invoice.objects.get(subscription=subscription).period_start == dt.date(2026, 7, 1)
    assert "1 invoices" in capsys.readouterr().out
    assert BillingRun.objects.get().run_date == dt.date(2026, 7, 1)
