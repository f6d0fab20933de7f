"""The daily run is a periodic task; the command runs it for a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command

from parcauto.billing.models import BillingRun, Invoice
from parcauto.billing.tasks import run_billing
from parcauto.core.scheduler import periodic_tasks
from tests.billing.conftest import contract

pytestmark = pytest.mark.django_db


def test_the_run_is_scheduled_daily():
    jobs = {job.name: job.interval for job in periodic_tasks()}
    assert jobs["parcauto.billing.tasks.run_billing"] == dt.timedelta(days=1)
    assert settings.PARCAUTO_PERIODIC_TASKS["parcauto.billing.tasks.run_billing"] == 86400


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
