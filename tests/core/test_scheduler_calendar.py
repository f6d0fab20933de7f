"""The schedule follows Quebec's calendar: clock changes, month ends, several schedulers.

The scheduler ticks every minute of the night the clocks change (2027: 14 March and
7 November in America/Toronto), with the time moved by time-machine; what it enqueued,
and for which scheduled time, is read from the queue and PeriodicTaskRun.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from itertools import pairwise

import pytest
from django.db import connection, connections
from django.tasks import task_backends

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.models import PeriodicTaskRun
from parcauto.core.scheduler import scheduler_run, scheduler_tick
from parcauto.core.scheduler_lock import SchedulerLock

pytestmark = pytest.mark.django_db

BILLING = "parcauto.billing.tasks.run_billing"
ACTIVATE = "parcauto.subscriptions.tasks.activate_due_subscriptions"
EXPIRE = "parcauto.subscriptions.tasks.expire_waitlist_offers"
RETRY = "parcauto.notifications.tasks.retry_emails"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _dummy_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _tick_every_minute(start: dt.datetime, end: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Tick once a minute of real time; the UTC moments each job was enqueued at."""
    enqueued: dict[str, list[dt.datetime]] = defaultdict(list)
    moment = start.astimezone(UTC)  # minutes of real time: local arithmetic is wall-clock
    while moment <= end:
        for name in scheduler_tick(now=moment):
            enqueued[name].append(moment.astimezone(UTC))
        moment += dt.timedelta(minutes=1)
    task_backends["default"].clear()
    return enqueued


def _local(moments: list[dt.datetime]) -> list[str]:
    return [m.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M %Z") for m in moments]


def _first_ticks_done(start: dt.datetime) -> None:
    # Each job's first tick (its latest time before the night) is not what is tested.
    scheduler_tick(now=start)
    task_backends["default"].clear()


def test_the_spring_forward_night_runs_each_job_once(settings):
    # 14 March 2027: at 02:00 EST the clocks go to 03:00 EDT; 02:00-02:59 never happens.
    settings.PARCAUTO_PERIODIC_TASKS = {
        BILLING: "0 2 * * *",
        ACTIVATE: "30 1 * * *",
        RETRY: "30 2 * * *",
        EXPIRE: "*/30 * * * *",
    }
    start = dt.datetime(2027, 3, 13, 23, 0, tzinfo=LOCAL_TZ)
    _first_ticks_done(start)
    runs = _tick_every_minute(start + dt.timedelta(minutes=1), start + dt.timedelta(hours=6))
    assert _local(runs[BILLING]) == ["03-14 03:00 EDT"]  # the 02:00 that did not exist: once
    assert _local(runs[RETRY]) == ["03-14 03:00 EDT"]
    assert _local(runs[ACTIVATE]) == ["03-14 01:30 EST"]
    every_30 = runs[EXPIRE]
    assert {b - a for a, b in pairwise(every_30)} == {
        dt.timedelta(minutes=30)
    }  # real time: 01:30 EST then 03:00 EDT are 30 minutes apart


def test_the_fall_back_night_runs_each_job_once(settings):
    # 7 November 2027: at 02:00 EDT the clocks go back to 01:00 EST; 01:00-01:59 twice.
    settings.PARCAUTO_PERIODIC_TASKS = {
        BILLING: "0 2 * * *",
        ACTIVATE: "30 1 * * *",
        EXPIRE: "*/30 * * * *",
    }
    start = dt.datetime(2027, 11, 6, 23, 0, tzinfo=LOCAL_TZ)
    _first_ticks_done(start)
    runs = _tick_every_minute(start + dt.timedelta(minutes=1), start + dt.timedelta(hours=6))
    assert _local(runs[BILLING]) == ["11-07 02:00 EST"]
    assert _local(runs[ACTIVATE]) == ["11-07 01:30 EDT"]  # not again at 01:30 EST
    every_30 = runs[EXPIRE]
    assert len(every_30) == 14  # 7 real hours from 23:00 EDT to 05:00 EST, every 30 min
    assert {b - a for a, b in pairwise(every_30)} == {dt.timedelta(minutes=30)}


def test_a_daily_job_runs_once_a_day_across_both_changes_of_2027(settings):
    settings.PARCAUTO_PERIODIC_TASKS = {BILLING: "0 2 * * *"}
    slots = []
    day = dt.datetime(2027, 1, 1, 12, 0, tzinfo=LOCAL_TZ)
    while day.year == 2027:
        for hour in (1, 3):  # a tick before and one after each day's 02:00
            moment = day.replace(hour=hour)
            if scheduler_tick(now=moment):
                slots.append(PeriodicTaskRun.objects.get(name=BILLING).slot)
        day += dt.timedelta(days=1)
    local = [slot.astimezone(LOCAL_TZ) for slot in slots[1:]]  # after 1 January's first tick
    assert len(local) == 365
    assert {(s.hour, s.minute) for s in local} == {(2, 0), (3, 0)}
    assert [s.date() for s in local if s.hour == 3] == [dt.date(2027, 3, 14)]


def test_month_end_jobs_follow_the_months(settings):
    # 2028 is a leap year: the last day of February is the 29th.
    settings.PARCAUTO_PERIODIC_TASKS = {BILLING: "0 2 1 * *", ACTIVATE: "0 23 L * *"}
    _first_ticks_done(dt.datetime(2027, 12, 31, 23, 30, tzinfo=LOCAL_TZ))
    slots: dict[str, list[dt.date]] = defaultdict(list)
    moment = dt.datetime(2028, 1, 1, 0, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    while moment < dt.datetime(2029, 1, 1, 12, 0, tzinfo=UTC):
        for name in scheduler_tick(now=moment):
            slot = PeriodicTaskRun.objects.get(name=name).slot
            if slot.astimezone(LOCAL_TZ).year == 2028:
                slots[name].append(slot.astimezone(LOCAL_TZ).date())
        moment += dt.timedelta(hours=6)
    assert slots[BILLING] == [dt.date(2028, month, 1) for month in range(1, 13)]
    assert [d.day for d in slots[ACTIVATE]] == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


# --- Several schedulers ------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


def _in_thread(function):
    """Run `function` in a thread of its own, with its own database connection."""
    result = []

    def run() -> None:
        try:
            result.append(function())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_one_scheduler_holds_the_lock_and_another_takes_over_when_its_connection_ends():
    active = SchedulerLock()
    assert active.acquire() is True
    assert active.acquire() is True  # still ours, not taken twice
    assert _in_thread(lambda: SchedulerLock().acquire()) is False
    connection.close()  # the active node dies: PostgreSQL releases its lock
    assert _in_thread(lambda: SchedulerLock().acquire()) is True  # (released as it ends)
    assert active.acquire() is True  # a new session: it may take it again


def test_without_postgresql_every_scheduler_is_active_and_the_claim_keeps_runs_single(settings):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's fallback")
    assert SchedulerLock().acquire() is True and SchedulerLock().acquire() is True
    settings.PARCAUTO_PERIODIC_TASKS = {BILLING: "0 2 * * *"}
    moment = dt.datetime(2027, 6, 1, 2, 0, 30, tzinfo=LOCAL_TZ)
    assert scheduler_tick(now=moment) == [BILLING]
    assert scheduler_tick(now=moment) == []  # a second scheduler, same minute


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_standby_scheduler_enqueues_nothing_until_the_active_one_stops(settings):
    settings.PARCAUTO_PERIODIC_TASKS = {RETRY: "* * * * *"}
    clock_at = [dt.datetime(2027, 6, 1, 9, 0, tzinfo=LOCAL_TZ)]

    def clock() -> dt.datetime:
        clock_at[0] += dt.timedelta(minutes=1)
        return clock_at[0]

    events: list[str] = []
    stop_active, stop_standby = threading.Event(), threading.Event()
    standing_by, took_over = threading.Event(), threading.Event()

    def active() -> None:
        scheduler_run(
            stop=stop_active,
            tick_seconds=0.05,
            clock=clock,
            on_enqueued=lambda name: events.append("active"),
        )

    def standby() -> None:
        def enqueued(name: str) -> None:
            events.append("standby")
            took_over.set()

        scheduler_run(
            stop=stop_standby,
            tick_seconds=0.05,
            clock=clock,
            on_enqueued=enqueued,
            on_standby=standing_by.set,
        )

    threads = [threading.Thread(target=_closing(active))]
    threads[0].start()
    while "active" not in events:
        stop_active.wait(0.01)
    threads.append(threading.Thread(target=_closing(standby)))
    threads[1].start()
    assert standing_by.wait(5)
    stop_active.set()  # the active scheduler stops and releases its lock
    threads[0].join()
    while_active = list(events)
    assert took_over.wait(5)
    stop_standby.set()
    threads[1].join()
    assert "standby" not in while_active
    assert events[len(while_active) :] and set(events[len(while_active) :]) == {"standby"}


def _closing(function):
    def run() -> None:
        try:
            function()
        finally:
            connections.close_all()

    return run
