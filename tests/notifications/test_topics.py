"""Optional e-mails honour the person's opt-out list; mandatory ones are always sent."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.notifications.models import EmailOptOut, OutboundEmail
from parcauto.notifications.services import (
    email_opt_outs_apply,
    email_send_template,
    email_topics_refused,
)
from parcauto.notifications.topics import EmailTopic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)
# Any template will do: the topic, not the message, decides.
REMINDER = {"template": "privacy_account_closed", "context": {"closed_at": NOW}, "language": "fr"}


@pytest.fixture
def paul():
    return UserFactory(email="Paul@Example.com")


def test_an_optional_email_is_sent_to_whoever_did_not_refuse_it(paul):
    sent = email_send_template(to="paul@example.com", topic=EmailTopic.REMINDERS, **REMINDER)
    assert isinstance(sent, OutboundEmail)


def test_an_optional_email_is_dropped_for_a_person_who_refused_its_topic(paul):
    email_opt_outs_apply(person_id=paul.pk, refused={"reminders"}, now=NOW)
    assert (
        email_send_template(to="paul@example.com", topic=EmailTopic.REMINDERS, **REMINDER) is None
    )
    assert not OutboundEmail.objects.exists()


def test_a_mandatory_email_ignores_the_opt_out_list(paul):
    email_opt_outs_apply(person_id=paul.pk, refused=set(EmailTopic.values), now=NOW)
    assert email_send_template(to="paul@example.com", **REMINDER) is not None


def test_accepting_again_closes_the_refusal_and_keeps_its_history(paul):
    later = NOW + dt.timedelta(days=3)
    assert email_opt_outs_apply(person_id=paul.pk, refused={"news", "nonsense"}, now=NOW) == (
        {"news"},
        set(),
    )
    assert email_opt_outs_apply(person_id=paul.pk, refused=set(), now=later) == (set(), {"news"})
    assert email_topics_refused(person_id=paul.pk) == set()
    (period,) = EmailOptOut.objects.filter(person=paul)
    assert (period.since, period.until) == (NOW, later)
    assert email_send_template(to="paul@example.com", topic=EmailTopic.NEWS, **REMINDER)
