"""The scheduler enqueues each periodic task once at each time its cron expression names,
across restarts; clock changes and month ends: tests/core/test_scheduler_calendar.py."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import task_backends

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.models import PeriodicTaskRun
from parcauto.core.scheduler import periodic_tasks, scheduler_run, scheduler_tick

pytestmark = pytest.mark.django_db

ACTIVATE = "parcauto.subscriptions.tasks.activate_due_subscriptions"
EXPIRE = "parcauto.subscriptions.tasks.expire_waitlist_offers"
START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def _dummy_tasks(settings) -> None:
    # Enqueued, not run: the tests look at what the scheduler put in the queue.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.PARCAUTO_PERIODIC_TASKS = {ACTIVATE: "5 0 * * *", EXPIRE: "*/5 * * * *"}


def _enqueued() -> list[str]:
    backend = task_backends["default"]
    names = [result.task.module_path for result in backend.results]
    backend.clear()
    return sorted(names)


def _tick_at(moment: dt.datetime) -> list[str]:
    with time_machine.travel(moment, tick=False):
        call_command("run_scheduler", "--once", stdout=mock.MagicMock())
    return _enqueued()


def test_the_first_tick_enqueues_each_task_once_for_its_latest_time():
    assert _tick_at(START) == [ACTIVATE, EXPIRE]
    runs = {run.name: (run.slot, run.last_enqueued_at) for run in PeriodicTaskRun.objects.all()}
    assert runs == {
        ACTIVATE: (START.replace(hour=0, minute=5), START),
        EXPIRE: (START, START),
    }


def test_a_second_tick_before_the_next_time_enqueues_nothing():
    _tick_at(START)
    assert _tick_at(START + dt.timedelta(seconds=5)) == []
    assert _tick_at(START + dt.timedelta(seconds=299)) == []


def test_each_task_comes_back_at_its_own_times():
    _tick_at(START)
    assert _tick_at(START + dt.timedelta(seconds=300)) == [EXPIRE]
    assert _tick_at(START + dt.timedelta(seconds=599)) == []
    assert _tick_at(START + dt.timedelta(seconds=600)) == [EXPIRE]
    assert _tick_at(START + dt.timedelta(hours=1)) == [EXPIRE]
    assert _tick_at(START.replace(day=2, hour=0, minute=5)) == [ACTIVATE, EXPIRE]


def test_a_scheduler_down_at_a_jobs_time_enqueues_it_once_when_it_comes_back():
    _tick_at(START)
    # Down from 23:00 to 09:00 the next day: one run of each, not one per missed time.
    assert _tick_at(START.replace(day=2, hour=9, minute=2)) == [ACTIVATE, EXPIRE]
    assert PeriodicTaskRun.objects.get(name=EXPIRE).slot == START.replace(day=2, hour=9, minute=0)
    assert _tick_at(START.replace(day=2, hour=9, minute=4)) == []


def test_restarting_the_scheduler_does_not_enqueue_again():
    # The state lives in the database: a new process (a new command) sees the last run.
    _tick_at(START)
    for seconds in (1, 60, 120):
        assert _tick_at(START + dt.timedelta(seconds=seconds)) == []


def test_the_command_prints_what_it_enqueued():
    output = mock.MagicMock()
    with time_machine.travel(START, tick=False):
        call_command("run_scheduler", "--once", stdout=output)
    written = "".join(call.args[0] for call in output.write.call_args_list)
    assert f"enqueued {ACTIVATE}" in written
    assert f"enqueued {EXPIRE}" in written


def test_a_task_that_cannot_be_enqueued_is_retried_at_the_next_tick(settings):
    settings.PARCAUTO_PERIODIC_TASKS = {EXPIRE: "*/5 * * * *", ACTIVATE: "5 0 * * *"}
    original = task_backends["default"].enqueue

    def refuse_expire(task, args, kwargs):
        if task.module_path == EXPIRE:
            raise ConnectionError("queue unavailable")
        return original(task, args, kwargs)

    with mock.patch.object(task_backends["default"], "enqueue", side_effect=refuse_expire):
        assert scheduler_tick(now=START) == [ACTIVATE]
    assert not PeriodicTaskRun.objects.filter(name=EXPIRE).exists()  # the claim rolled back
    _enqueued()
    assert scheduler_tick(now=START + dt.timedelta(seconds=5)) == [EXPIRE]


def test_an_unknown_task_fails_at_start(settings):
    settings.PARCAUTO_PERIODIC_TASKS = {"parcauto.subscriptions.tasks.no_such_job": "* * * * *"}
    with pytest.raises(CommandError, match="no_such_job"):
        call_command("run_scheduler", "--once")


def test_a_plain_function_is_not_a_periodic_task(settings):
    settings.PARCAUTO_PERIODIC_TASKS = {"parcauto.core.clock.local_today": "* * * * *"}
    with pytest.raises(CommandError, match="is not a @task"):
        call_command("run_scheduler", "--once")


@pytest.mark.parametrize("schedule", [300, "every day", "0 25 * * *", "* * * *"])
def test_a_schedule_must_be_a_cron_expression(settings, schedule):
    settings.PARCAUTO_PERIODIC_TASKS = {EXPIRE: schedule}
    with pytest.raises(CommandError, match="must be a cron expression"):
        call_command("run_scheduler", "--once")


def test_every_registered_job_has_a_valid_schedule_and_the_outbox_retry_is_one(settings):
    from parcauto import settings as project  # the module's own, not the fixture's

    settings.PARCAUTO_PERIODIC_TASKS = project.PARCAUTO_PERIODIC_TASKS
    jobs = {job.name: job.schedule for job in periodic_tasks()}
    assert jobs["parcauto.billing.tasks.run_billing"] == "0 2 * * *"
    assert jobs["parcauto.notifications.tasks.retry_emails"] == "* * * * *"


def test_the_loop_ticks_until_asked_to_stop():
    stop = threading.Event()
    moments = iter([START, START + dt.timedelta(seconds=300), START + dt.timedelta(seconds=301)])
    seen: list[str] = []

    def clock() -> dt.datetime:
        return next(moments)

    def record(name: str) -> None:
        seen.append(name)
        if len(seen) == 3:  # the second tick's job: ask the loop to stop
            stop.set()

    scheduler_run(stop=stop, tick_seconds=0.01, clock=clock, on_enqueued=record)
    assert sorted(seen[:2]) == [ACTIVATE, EXPIRE]
    assert seen[2:] == [EXPIRE]
