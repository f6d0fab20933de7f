"""Cancelling a contract: the earliest date from the notice clause, the request, and what
staff and the person may then do with it (each transition audited and e-mailed)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils.formats import date_format

from parcauto.audit.models import AuditEvent
from parcauto.core.clock import LOCAL_TZ, local_today
from parcauto.servicedesk.errors import DateRefused, NotAllowed
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.cancellation import (
    cancellation_confirm,
    cancellation_earliest,
    cancellation_refuse,
    cancellation_request_send,
    cancellation_withdraw,
)
from parcauto.servicedesk.services.thread import request_state_change
from parcauto.subscriptions.models import Subscription

from .conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
JULY_10 = dt.date(2026, 7, 10)
Outcome = ServiceRequest.Outcome


def ask(contract, last_day=JULY_10):
    return cancellation_request_send(
        subscription=contract, person=contract.person, last_day=last_day, now=NOW
    )


# --- the earliest date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "notice", "earliest"),
    [
        (dt.date(2026, 6, 10), 30, dt.date(2026, 7, 10)),
        (dt.date(2027, 1, 31), 30, dt.date(2027, 3, 2)),  # February has 28 days
        (dt.date(2028, 1, 30), 30, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 1)),  # over the year end
        (dt.date(2026, 5, 31), 0, dt.date(2026, 5, 31)),  # no notice: today
    ],
)
def test_the_earliest_day_is_today_plus_the_notice_in_calendar_days(
    active, product, today, notice, earliest
):
    product.cancellation_notice_days = notice
    assert cancellation_earliest(subscription=active, today=today) == earliest


def test_today_is_quebecs_even_when_utc_is_already_tomorrow(active):
    evening = dt.datetime(2027, 1, 31, 23, 30, tzinfo=LOCAL_TZ)  # 04:30 UTC on 1 February
    assert local_today(evening) == dt.date(2027, 1, 31)
    assert cancellation_earliest(subscription=active, today=local_today(evening)) == dt.date(
        2027, 3, 2
    )


def test_never_before_the_contract_starts(active):
    active.start_date = dt.date(2026, 9, 1)
    assert cancellation_earliest(subscription=active, today=NOW.date()) == dt.date(2026, 9, 1)


# --- the request ----------------------------------------------------------------------------


def test_a_day_before_the_earliest_is_refused_and_nothing_is_stored(active):
    with pytest.raises(DateRefused) as refused:
        ask(active, JULY_10 - dt.timedelta(days=1))
    assert date_format(JULY_10, "DATE_FORMAT") in str(refused.value.message)
    assert ServiceRequest.objects.count() == 0
    active.refresh_from_db()
    assert (active.status, active.end_date) == (Subscription.Status.ACTIVE, None)


def test_at_the_earliest_day_it_waits_for_staff(active, commit):
    with commit():
        request = ask(active)
    assert (request.kind, request.state, request.outcome) == ("cancellation", "new", "")
    assert request.requested_end_date == JULY_10
    active.refresh_from_db()
    assert (active.status, active.end_date) == (Subscription.Status.ACTIVE, None)
    assert len(mail.outbox) == 1


def test_one_cancellation_at_a_time(active):
    ask(active)
    with pytest.raises(NotAllowed):
        ask(active, JULY_10 + dt.timedelta(days=5))


def test_a_date_after_the_contracts_own_end_is_refused(active):
    Subscription.objects.filter(pk=active.pk).update(end_date=dt.date(2026, 7, 31))
    active.refresh_from_db()
    with pytest.raises(DateRefused):
        ask(active, dt.date(2026, 7, 31))


def test_only_an_active_contract_is_cancelled_here(active):
    active.status = Subscription.Status.APPROVED
    with pytest.raises(NotAllowed):
        ask(active)


# --- decisions ------------------------------------------------------------------------------


def test_staff_confirm_the_contract_is_ending_until_that_day(active, agent, commit):
    request = ask(active)
    with commit():
        cancellation_confirm(request=request, actor=agent, now=NOW)
    active.refresh_from_db()
    request.refresh_from_db()
    assert (active.status, active.end_date) == (Subscription.Status.ENDING, JULY_10)
    assert (request.state, request.outcome) == ("done", Outcome.CONFIRMED)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"subscription.ending", "servicedesk.cancellation_confirmed"} <= actions
    assert mail.outbox[-1].subject.startswith(f"[Demande {request.number}]")
    with pytest.raises(NotAllowed):  # decided once
        cancellation_confirm(request=request, actor=agent, now=NOW)


def test_a_product_sold_without_approval_confirms_at_once(active, product):
    product.approval_required = False
    product.save()
    active.refresh_from_db()
    request = ask(active)
    active.refresh_from_db()
    assert request.outcome == Outcome.CONFIRMED
    assert active.status == Subscription.Status.ENDING


def test_staff_refuse_with_a_reason_and_the_contract_goes_on(active, agent, commit):
    request = ask(active)
    with pytest.raises(NotAllowed):
        cancellation_refuse(request=request, actor=agent, reason="  ", now=NOW)
    with commit():
        cancellation_refuse(request=request, actor=agent, reason="Contrat à terme fixe.", now=NOW)
    request.refresh_from_db()
    active.refresh_from_db()
    assert (request.state, request.outcome) == ("done", Outcome.REFUSED)
    assert active.status == Subscription.Status.ACTIVE
    assert request.messages.get().body == "Contrat à terme fixe."


def test_an_undecided_cancellation_cannot_be_closed(active, agent):
    request = ask(active)
    with pytest.raises(NotAllowed):
        request_state_change(request=request, state="done", actor=agent, now=NOW)


def test_the_person_withdraws_it_before_staff_decide(active):
    request = ask(active)
    cancellation_withdraw(request=request, person=active.person, now=NOW)
    request.refresh_from_db()
    assert (request.state, request.outcome) == ("done", Outcome.WITHDRAWN)


def test_the_person_withdraws_it_while_ending_and_the_contract_is_active_again(active, agent):
    Subscription.objects.filter(pk=active.pk).update(end_date=dt.date(2026, 12, 31))
    active.refresh_from_db()
    request = ask(active)
    cancellation_confirm(request=request, actor=agent, now=NOW)
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        cancellation_withdraw(request=request, person=active.person, now=NOW)
    active.refresh_from_db()
    request.refresh_from_db()
    assert (active.status, active.end_date) == (Subscription.Status.ACTIVE, dt.date(2026, 12, 31))
    assert request.outcome == Outcome.WITHDRAWN
    with pytest.raises(NotAllowed):
        cancellation_withdraw(request=request, person=active.person, now=NOW)


def test_someone_else_cannot_withdraw_it(active, agent):
    request = ask(active)
    with pytest.raises(NotAllowed):
        cancellation_withdraw(request=request, person=agent, now=NOW)
