"""Cancelling a notice from the back office: a reason always, never a contested notice."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.errors import NoticeContested, NoticeStateRefused, ReasonRequired
from parcauto.enforcement.models import ClaimNotice
from parcauto.enforcement.services.cancelling import notice_cancel, notice_cancellable
from tests.backoffice.notices import notice_make
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEEN = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
State = ClaimNotice.State


def test_it_cancels_with_the_reason_and_audits_it(organization) -> None:
    notice = notice_make(organization, at=SEEN)
    manager = UserFactory()
    cancelled = notice_cancel(notice=notice, actor=manager, reason="  Permis valide présenté ")
    assert (cancelled.state, cancelled.state_reason) == (State.CANCELLED, "Permis valide présenté")
    event = AuditEvent.objects.get(action="enforcement.notice_cancelled")
    assert event.actor == manager
    assert event.data == {
        "from": "issued",
        "to": "cancelled",
        "reason": "Permis valide présenté",
        "by": "staff",
    }


@pytest.mark.parametrize(
    ("state", "refusal"),
    [
        (State.CONTESTED, NoticeContested),
        (State.PAID, NoticeStateRefused),
        (State.CANCELLED, NoticeStateRefused),
    ],
)
def test_it_refuses_what_is_not_its_to_cancel(organization, state, refusal) -> None:
    notice = notice_make(organization, at=SEEN, state=state)
    assert notice_cancellable(notice) is False
    with pytest.raises(refusal):
        notice_cancel(notice=notice, actor=UserFactory(), reason="Erreur")
    notice.refresh_from_db()
    assert notice.state == state
    assert not AuditEvent.objects.filter(action="enforcement.notice_cancelled").exists()


def test_a_contest_opened_since_the_page_was_read_wins(organization) -> None:
    notice = notice_make(organization, at=SEEN)
    ClaimNotice.objects.filter(pk=notice.pk).update(state=State.CONTESTED)
    assert notice.state == State.ISSUED  # the copy the page was drawn from
    with pytest.raises(NoticeContested):
        notice_cancel(notice=notice, actor=UserFactory(), reason="Erreur")
    notice.refresh_from_db()
    assert notice.state == State.CONTESTED


def test_a_notice_sent_to_collection_may_still_be_cancelled(organization) -> None:
    notice = notice_make(organization, at=SEEN, state=State.COLLECTION)
    assert notice_cancellable(notice) is True
    assert notice_cancel(notice=notice, actor=UserFactory(), reason="Erreur").state == "cancelled"


def test_a_blank_reason_is_refused(organization) -> None:
    notice = notice_make(organization, at=SEEN)
    with pytest.raises(ReasonRequired):
        notice_cancel(notice=notice, actor=UserFactory(), reason=" \n ")
    notice.refresh_from_db()
    assert notice.state == State.ISSUED
