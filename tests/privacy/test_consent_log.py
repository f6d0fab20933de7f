"""The consent log: what the person agreed to, which text and version, when, and when it
was withdrawn, across portals and kinds of consent."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import User
from parcauto.accounts.preferences import communication_preferences_save
from parcauto.audit.models import AuditEvent
from parcauto.payments.models import PaymentMethod
from parcauto.privacy.consent_log import consent_log_for
from tests.backoffice.requests import NOW
from tests.payments.factories import pad_agreement_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_each_box_ticked_for_a_contract_is_there_with_its_text_and_version(marie):
    entries = [e for e in consent_log_for(person=marie.person) if e.contract_number]
    conditions = next(e for e in entries if e.text and e.version == 3)
    assert conditions.institution == "CIUSSS de l'Estrie - CHUS"
    assert conditions.contract_number == marie.contract.contract_number
    assert conditions.given_at == NOW - dt.timedelta(days=70)
    assert conditions.withdrawn_at is None


def test_a_bank_agreement_shows_when_it_was_revoked(marie, organization):
    agreement = pad_agreement_make(organization, version=2)
    accepted, revoked = NOW - dt.timedelta(days=60), NOW - dt.timedelta(days=10)
    PaymentMethod.objects.filter(pk=marie.bank_account.pk).update(
        pad_agreement=agreement, pad_agreement_accepted_at=accepted, revoked_at=revoked
    )
    (pad,) = [e for e in consent_log_for(person=marie.person) if e.version == 2]
    assert (pad.given_at, pad.withdrawn_at) == (accepted, revoked)


def test_optional_emails_are_consented_from_sign_up_until_refused_then_again(marie):
    person = marie.person
    User.objects.filter(pk=person.pk).update(date_joined=NOW - dt.timedelta(days=100))
    person.refresh_from_db()
    refused_at, again_at = NOW - dt.timedelta(days=50), NOW - dt.timedelta(days=10)
    communication_preferences_save(
        user=person, language="fr", refused_topics={"news"}, now=refused_at
    )
    communication_preferences_save(user=person, language="en", refused_topics=set(), now=again_at)
    news = sorted(
        (e.given_at, e.withdrawn_at)
        for e in consent_log_for(person=person)
        if e.email_topic == "news"
    )
    assert news == [(person.date_joined, refused_at), (again_at, None)]
    reminders = [e for e in consent_log_for(person=person) if e.email_topic == "reminders"]
    assert [(e.given_at, e.withdrawn_at) for e in reminders] == [(person.date_joined, None)]
    person.refresh_from_db()
    assert person.language == "en"
    assert list(
        AuditEvent.objects.filter(action="account.email_preferences_changed").values_list(
            "data", flat=True
        )
    ) == [{"refused": [], "accepted": ["news"]}, {"refused": ["news"], "accepted": []}]


def test_nobody_elses_consents_are_in_it(marie, jean):
    numbers = {e.contract_number for e in consent_log_for(person=marie.person)}
    assert numbers == {marie.contract.contract_number, None}
