"""E-mails waiting or failed in /metrics, read from the outbox at scrape time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from parcauto.notifications.models import OutboundEmail
from tests.metrics import sample, scrape

pytestmark = pytest.mark.django_db


def _email(status: str) -> OutboundEmail:
    return OutboundEmail.objects.create(
        from_email="no-reply@parcauto.ca",
        to="marie@example.com",
        subject="Objet",
        body_text="Bonjour",
        status=status,
    )


def test_unsent_emails_by_status_and_the_age_of_the_oldest_waiting():
    start = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _email(OutboundEmail.Status.FAILED)
        clock.shift(dt.timedelta(minutes=1))
        _email(OutboundEmail.Status.QUEUED)
        _email(OutboundEmail.Status.SENT)
        clock.shift(dt.timedelta(minutes=1))
        _email(OutboundEmail.Status.QUEUED)
        clock.shift(dt.timedelta(minutes=3))
        samples = scrape()

    assert sample(samples, "parcauto_emails_unsent", status="queued") == 2
    assert sample(samples, "parcauto_emails_unsent", status="failed") == 1
    assert sample(samples, "parcauto_emails_unsent", status="sent") is None
    # The failed one is older, but it waits for nobody: the oldest *waiting* is 4 min old.
    assert sample(samples, "parcauto_emails_oldest_waiting_age_seconds") == 240


def test_with_nothing_waiting_the_age_is_zero():
    _email(OutboundEmail.Status.SENT)
    assert sample(scrape(), "parcauto_emails_oldest_waiting_age_seconds") == 0
