"""The retention job: each kind of data goes when its period is over, not a day sooner; a
dry run counts exactly what a real run then deletes, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage

from parcauto.accounts.models import User
from parcauto.audit.models import AuditEvent
from parcauto.core.scheduler import periodic_tasks
from parcauto.notifications.models import EmailOptOut
from parcauto.payments.models import PaymentMethod
from parcauto.privacy.models import PrivacySettings
from parcauto.privacy.services.retention import months_before, retention_run
from parcauto.subscriptions.models import Attachment, Subscription
from tests.backoffice.requests import NOW, reviewed_draft
from tests.factories import ProfileFactory, UserFactory
from tests.privacy.builders import ENDED_ON, Holder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TWO_YEARS_LATER = dt.datetime.combine(
    months_before(ENDED_ON, -24), NOW.timetz()
)  # the day the default 24 months are over: still kept


def _kept(holder: Holder) -> tuple[int, bool]:
    method = PaymentMethod.objects.get(pk=holder.bank_account.pk)
    return Attachment.objects.filter(subscription=holder.contract).count(), bool(
        method.cheque_specimen
    )


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(dt.date(2026, 5, 22), 24) == dt.date(2024, 5, 22)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_proofs_and_cheques_stay_24_months_after_the_contract_ends(marie, organization):
    report = retention_run(now=TWO_YEARS_LATER, dry_run=False)
    assert report.by_institution[organization.pk]["proofs"] == 0
    assert _kept(marie) == (1, True)


def test_then_a_dry_run_counts_them_and_changes_nothing(marie, organization):
    day_after = TWO_YEARS_LATER + dt.timedelta(days=1)
    report = retention_run(now=day_after, dry_run=True)
    counts = report.by_institution[organization.pk]
    assert (counts["proofs"], counts["cheque_specimens"]) == (1, 1)
    assert _kept(marie) == (1, True)
    assert not AuditEvent.objects.filter(action="privacy.retention_run").exists()


def test_and_the_real_run_deletes_exactly_what_it_counted(marie, jean, organization, after_commit):
    Subscription.objects.filter(pk=jean.contract.pk).update(end_date=NOW.date())  # later
    day_after = TWO_YEARS_LATER + dt.timedelta(days=1)
    dry = retention_run(now=day_after, dry_run=True).by_institution[organization.pk]
    proof_name = marie.contract.attachments.get().file.name
    with after_commit():
        real = retention_run(now=day_after, dry_run=False).by_institution[organization.pk]
    assert real == dry
    assert _kept(marie) == (0, False)
    assert not default_storage.exists(proof_name)
    assert not default_storage.exists(marie.bank_account.cheque_specimen.name)
    assert _kept(jean) == (1, True)  # ended later: its months are not over
    (event,) = AuditEvent.objects.filter(action="privacy.retention_run", organization=organization)
    assert event.data["proofs"] == 1


def test_an_institution_sets_its_own_period(marie, organization):
    PrivacySettings.objects.create(organization=organization, proof_retention_months=6)
    five_months = dt.datetime.combine(months_before(ENDED_ON, -5), NOW.timetz())
    assert (
        retention_run(now=five_months, dry_run=True).by_institution[organization.pk]["proofs"] == 0
    )
    seven_months = dt.datetime.combine(months_before(ENDED_ON, -7), NOW.timetz())
    assert (
        retention_run(now=seven_months, dry_run=True).by_institution[organization.pk]["proofs"] == 1
    )


def test_a_refused_request_counts_from_its_refusal(marie, organization):
    Subscription.objects.filter(pk=marie.contract.pk).update(
        status=Subscription.Status.REFUSED, end_date=None, decided_at=NOW - dt.timedelta(days=800)
    )
    assert retention_run(now=NOW, dry_run=True).by_institution[organization.pk]["proofs"] == 1


@pytest.fixture
def draft(offer) -> Subscription:
    person = ProfileFactory(user__email="paul@example.com").user
    return reviewed_draft(offer, person=person, start=NOW.date() + dt.timedelta(days=3), at=NOW)


def _run(days: int, after_commit, *, dry_run: bool = False):
    moment = NOW + dt.timedelta(days=days)
    with time_machine.travel(moment, tick=False), after_commit():
        return retention_run(now=moment, dry_run=dry_run)


def test_an_unfinished_request_is_reminded_a_week_before_and_deleted_after_90_days(
    draft, organization, after_commit
):
    assert _run(82, after_commit).by_institution[organization.pk]["draft_reminders"] == 0
    report = _run(84, after_commit)
    assert report.by_institution[organization.pk]["draft_reminders"] == 1
    (reminder,) = mail.outbox
    assert reminder.to == ["paul@example.com"]
    assert reminder.subject == (
        "CIUSSS de l'Estrie - CHUS · Votre demande inachevée sera bientôt supprimée"
    )
    assert "le 30 août 2026" in reminder.body  # 90 days after its last change
    _run(85, after_commit)
    assert len(mail.outbox) == 1  # once
    assert _run(89, after_commit).by_institution[organization.pk]["drafts"] == 0
    assert Subscription.objects.filter(pk=draft.pk).exists()
    assert _run(91, after_commit).by_institution[organization.pk]["drafts"] == 1
    assert not Subscription.objects.filter(pk=draft.pk).exists()


def test_no_reminder_for_a_person_who_refuses_reminders(draft, organization, after_commit):
    EmailOptOut.objects.create(person=draft.person, topic="reminders", since=NOW)
    assert _run(84, after_commit).by_institution[organization.pk]["draft_reminders"] == 0
    assert mail.outbox == []


def test_accounts_never_validated_go_after_30_days(db, after_commit):
    with time_machine.travel(NOW - dt.timedelta(days=31), tick=False):
        squat = UserFactory(email="squat@example.com", verified=False)
        validated = UserFactory(email="real@example.com")
    with time_machine.travel(NOW - dt.timedelta(days=29), tick=False):
        recent = UserFactory(email="recent@example.com", verified=False)
    assert retention_run(now=NOW, dry_run=True).overall["unverified_accounts"] == 1
    with after_commit():
        assert retention_run(now=NOW, dry_run=False).overall["unverified_accounts"] == 1
    assert set(User.objects.values_list("pk", flat=True)) == {validated.pk, recent.pk}
    assert squat.pk not in set(User.objects.values_list("pk", flat=True))


def test_the_job_is_registered_with_the_scheduler():
    assert "parcauto.privacy.tasks.run_retention" in {job.name for job in periodic_tasks()}
