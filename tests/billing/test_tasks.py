"""The daily run is a periodic task; the command runs it for a date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import task_backends

from parcauto.billing.models import BillingRun, BillingRunPart, Invoice
from parcauto.billing.services import run as run_module
from parcauto.billing.tasks import run_billing, run_billing_institution
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.scheduler import periodic_tasks
from parcauto.payments.models import PaymentAttempt, SandboxTransaction
from tests.billing.conftest import contract
from tests.scoping import unscoped, within

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


@pytest.fixture
def _queued(settings):
    """Tasks queued, not run: the test runs them, as the workers would, in any order."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


def _run_queued(backend) -> list[str]:
    results = [unscoped(r.task.call)(**r.kwargs) for r in reversed(backend.results)]
    backend.clear()
    return results


@time_machine.travel(dt.datetime(2026, 7, 1, 2, 0, tzinfo=LOCAL_TZ), tick=False)
def test_the_daily_run_is_one_task_per_institution_and_ends_with_the_last(
    product, other_product, _queued, django_capture_on_commit_callbacks
):
    contracts = [contract(product, start=dt.date(2026, 5, 1)) for _ in range(2)]
    contracts.append(contract(other_product, start=dt.date(2026, 5, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = run_billing.call()
    queued = [(r.task.name, r.kwargs["organization_id"]) for r in _queued.results]
    institutions = {product.organization_id, other_product.organization_id}
    assert sorted(queued) == sorted(("run_billing_institution", pk) for pk in institutions)
    assert BillingRun.objects.get(pk=run_id).status == BillingRun.Status.RUNNING

    done = _run_queued(_queued)  # the last queued first: the order does not matter

    assert sorted(done) == sorted(
        f"{o.slug}: done" for o in (product.organization, other_product.organization)
    )
    run = BillingRun.objects.get(pk=run_id)
    assert (run.status, run.invoices_created, run.charges_approved) == ("finished", 3, 3)
    assert run.finished_at is not None
    for each in (product, other_product):
        with within(each.organization):
            assert Invoice.objects.count() == len([c for c in contracts if c.product == each])
    assert SandboxTransaction.objects.count() == 3


@time_machine.travel(dt.datetime(2026, 7, 1, 2, 0, tzinfo=LOCAL_TZ), tick=False)
def test_the_daily_task_run_again_while_its_run_goes_on_queues_nothing_more(
    product, _queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = run_billing.call()
    assert len(_queued.results) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run_billing.call() == run_id  # its worker died after the commit
    assert len(_queued.results) == 1
    _run_queued(_queued)
    assert BillingRun.objects.get(pk=run_id).status == BillingRun.Status.FINISHED
    with django_capture_on_commit_callbacks(execute=True):
        assert run_billing.call() != run_id  # finished: the next one is a new run


@time_machine.travel(dt.datetime(2026, 7, 1, 2, 0, tzinfo=LOCAL_TZ), tick=False)
def test_a_part_run_again_after_its_worker_died_charges_nothing_twice(
    product, other_product, _queued, django_capture_on_commit_callbacks
):
    contract(product, start=dt.date(2026, 5, 1))
    contract(other_product, start=dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = run_billing.call()
    first = _queued.results[0]
    part = unscoped(run_billing_institution.call)
    part(**first.kwargs)  # done, but its worker died before saying so: run again
    assert part(**first.kwargs).endswith("already done")
    BillingRunPart.objects.filter(run_id=run_id).update(finished_at=None)  # died earlier
    part(**first.kwargs)
    _run_queued(_queued)
    run = BillingRun.objects.get(pk=run_id)
    assert (run.status, run.invoices_created, run.charges_approved) == ("finished", 2, 2)
    assert SandboxTransaction.objects.count() == 2
    for each in (product, other_product):
        with within(each.organization):
            assert PaymentAttempt.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 7, 1, 2, 0, tzinfo=LOCAL_TZ), tick=False)
def test_a_failed_part_fails_the_run_and_the_others_still_bill(
    product, other_product, _queued, django_capture_on_commit_callbacks, monkeypatch
):
    contract(other_product, start=dt.date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = run_billing.call()
    real = run_module.files_step

    def broken(run, organization, **kwargs):
        if organization == product.organization:
            raise RuntimeError("disk full")
        return real(run, organization, **kwargs)

    monkeypatch.setattr(run_module, "files_step", broken)
    for result in _queued.results:
        kwargs = result.kwargs
        if kwargs["organization_id"] == product.organization_id:
            with pytest.raises(RuntimeError):
                unscoped(result.task.call)(**kwargs)
        else:
            unscoped(result.task.call)(**kwargs)
    run = BillingRun.objects.get(pk=run_id)
    assert run.status == BillingRun.Status.FAILED
    assert run.error == f"{product.organization.slug}: RuntimeError: disk full"
    assert run.invoices_created == 1  # the other institution's
