"""The daily job: notices unpaid past their collection date go to collection, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticePayment, NoticeReason
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from parcauto.enforcement.services.transitions import notice_transition
from parcauto.enforcement.tasks import send_notices_to_collection
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import tariffs_of
from tests.factories import UserFactory
from tests.scoping import within, within_its_institution, worker_call

pytestmark = pytest.mark.django_db

ISSUED = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
# Due 1 July (30 days), collection 60 days later: 30 August.
COLLECTION_DAY = dt.datetime(2026, 8, 30, 0, 20, tzinfo=LOCAL_TZ)


@within_its_institution
def _notices(organization, plates: list[str]) -> list[ClaimNotice]:
    lot = offer_of(organization).lot
    tariffs_of(organization)
    agent = staff_member(StaffRole.Role.PATROL, organization)
    return [
        notice_issue(
            organization=organization,
            draft=NoticeDraft(
                lot=lot,
                plate=plate,
                jurisdiction="QC",
                reason=NoticeReason.NO_PERMIT,
                observed_at=ISSUED,
            ),
            agent=agent,
            now=ISSUED,
        )
        for plate in plates
    ]


def test_unpaid_notices_of_every_institution_go_to_collection_once(
    organization, other_organization
):
    with time_machine.travel(ISSUED, tick=False):
        unpaid, contested, paid = _notices(organization, ["AAA111", "BBB222", "CCC333"])
        [elsewhere] = _notices(other_organization, ["DDD444"])
        notice_transition(notice=contested, to=ClaimNotice.State.CONTESTED, actor=None)
        notice_transition(notice=paid, to=ClaimNotice.State.PAID, actor=None)
    with time_machine.travel(COLLECTION_DAY - dt.timedelta(days=1), tick=False):
        assert worker_call(send_notices_to_collection) == 0
    with time_machine.travel(COLLECTION_DAY, tick=False):
        assert worker_call(send_notices_to_collection) == 2
        assert worker_call(send_notices_to_collection) == 0
    states = {n.plate: n.state for n in ClaimNotice.objects.all()}
    assert states == {"AAA111": "collection", "BBB222": "contested", "CCC333": "paid"}
    with within(other_organization):
        elsewhere.refresh_from_db()
        assert elsewhere.state == ClaimNotice.State.COLLECTION
    event = AuditEvent.objects.get(action="enforcement.notice_collection", target_id=str(unpaid.pk))
    assert event.actor is None and event.data["collection_date"] == "2026-08-30"


def test_a_notice_whose_payment_answer_is_unknown_waits_for_it(organization):
    with time_machine.travel(ISSUED, tick=False):
        [unknown] = _notices(organization, ["EEE555"])
        with within(organization):
            NoticePayment.objects.create(
                organization=organization,
                notice=unknown,
                order_id=f"notice-{unknown.number}-1",
                amount=unknown.total,
                gateway="sandbox",
            )
    with time_machine.travel(COLLECTION_DAY, tick=False):
        assert worker_call(send_notices_to_collection) == 0
    with within(organization):
        unknown.refresh_from_db()
    assert unknown.state == ClaimNotice.State.ISSUED


def test_the_account_the_notice_was_sent_to_is_told_of_the_collection(
    organization, django_capture_on_commit_callbacks
):
    person = UserFactory(email="lea@example.com", language="fr")
    with time_machine.travel(ISSUED, tick=False):
        told, anonymous = _notices(organization, ["FFF666", "GGG777"])
        with within(organization):
            ClaimNotice.objects.filter(pk=told.pk).update(person=person)
    with (
        time_machine.travel(COLLECTION_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert worker_call(send_notices_to_collection) == 2
        assert worker_call(send_notices_to_collection) == 0
    [sent] = mail.outbox  # the notice without an account tells no one; once only
    assert sent.to == ["lea@example.com"]
    assert f"Avis de réclamation n° {told.number} transmis au recouvrement" in sent.subject
    assert "n’a pas été payé au plus tard le 1er juillet 2026" in sent.body  # noqa: RUF001
    assert "65,00\u00a0$" in sent.body  # 50,00 $ and the 15,00 $ late fee
    assert f"/avis-de-reclamation/?numero={told.number}" in sent.body
    assert anonymous.person_id is None
