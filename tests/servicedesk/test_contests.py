"""A contested notice in the service centre: sent without an account, held, then cancelled
or kept by staff with a reason the contester receives by e-mail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.audit.models import AuditEvent
from parcauto.enforcement.models import ClaimNotice
from parcauto.enforcement.services.transitions import notice_transition
from parcauto.servicedesk.errors import NotAllowed
from parcauto.servicedesk.models import ServiceRequest
from parcauto.servicedesk.services.contests import Decision, contest_decide, contest_send
from parcauto.servicedesk.services.thread import request_state_change
from tests.backoffice.conftest import signed_in
from tests.enforcement.notices import notice_make

from .conftest import NOW, PDF

pytestmark = pytest.mark.django_db


def _contest(notice: ClaimNotice, **fields) -> ServiceRequest:
    values = {
        "notice": notice,
        "person": None,
        "contact_email": "visiteur@example.com",
        "full_name": "Luc Gagnon",
        "text": "J'étais au débarcadère pour 5 minutes.",
        "language": "fr",
        "now": NOW,
        "files": [SimpleUploadedFile("preuve.pdf", PDF)],
    }
    return contest_send(**(values | fields))


@pytest.fixture
def contest(organization, django_capture_on_commit_callbacks) -> ServiceRequest:
    with django_capture_on_commit_callbacks(execute=True):
        return _contest(notice_make(organization))


def test_a_contest_without_an_account_holds_the_notice_and_is_acknowledged(
    contest, mailoutbox
) -> None:
    notice = contest.notice
    assert notice is not None and notice.state == ClaimNotice.State.CONTESTED
    assert (contest.person, contest.kind) == (None, ServiceRequest.Kind.CONTEST)
    (received,) = mailoutbox
    assert received.to == ["visiteur@example.com"]
    assert f"avis de réclamation n° {notice.number}" in received.subject


def test_staff_cancel_the_notice_and_the_contester_reads_why(
    contest, agent, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    client = signed_in(agent)
    page = client.get(f"/gestion/service/{contest.pk}/").content.decode()
    assert "Décider de la contestation" in page and contest.notice.number in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/gestion/service/{contest.pk}/contestation/decider/",
            {"decision": "cancel", "reason": "Le débarcadère permet 10 minutes."},
        )
    assert response.status_code == 302
    contest.refresh_from_db()
    notice = ClaimNotice.objects.get(pk=contest.notice_id)
    assert (notice.state, contest.state) == (ClaimNotice.State.CANCELLED, "done")
    assert notice.state_reason == "Le débarcadère permet 10 minutes."
    decision = mailoutbox[-1]
    assert decision.to == ["visiteur@example.com"]
    assert "Le débarcadère permet 10 minutes." in decision.body
    assert "l'avis est annulé" in decision.subject
    assert AuditEvent.objects.filter(action="enforcement.notice_cancelled").count() == 1


def test_a_kept_notice_is_payable_again_and_a_decided_contest_cannot_be_decided_again(
    contest, agent
) -> None:
    contest_decide(
        request=contest, decision=Decision.KEEP, reason="Photo claire.", actor=agent, now=NOW
    )
    notice = ClaimNotice.objects.get(pk=contest.notice_id)
    assert notice.state == ClaimNotice.State.ISSUED
    with pytest.raises(NotAllowed):
        contest_decide(
            request=contest, decision=Decision.CANCEL, reason="Oups.", actor=agent, now=NOW
        )
    assert ClaimNotice.objects.get(pk=notice.pk).state == ClaimNotice.State.ISSUED


def test_no_decision_without_a_reason_and_no_closing_before_the_decision(contest, agent) -> None:
    response = signed_in(agent).post(
        f"/gestion/service/{contest.pk}/contestation/decider/", {"decision": "cancel"}
    )
    assert response.status_code == 400
    with pytest.raises(NotAllowed):
        request_state_change(request=contest, state="done", actor=agent, now=NOW)
    assert ClaimNotice.objects.get(pk=contest.notice_id).state == ClaimNotice.State.CONTESTED


def test_a_paid_notice_or_a_fourth_file_is_not_contested(organization) -> None:
    paid = notice_make(organization)
    notice_transition(notice=paid, to=ClaimNotice.State.PAID, actor=None)
    with pytest.raises(NotAllowed):
        _contest(paid)
    issued = notice_make(organization)
    with pytest.raises(NotAllowed):
        _contest(issued, files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(4)])
    assert not ServiceRequest.objects.exists()
    assert ClaimNotice.objects.get(pk=issued.pk).state == ClaimNotice.State.ISSUED
