"""A request in the inbox: replies both ways, notes, assignment and every change of state,
each audited; the person hears of what concerns them, never of an internal note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.servicedesk.errors import CardNumberRefused, NotAllowed
from parcauto.servicedesk.models import ServiceMessage, ServiceRequest
from parcauto.servicedesk.services.requests import modification_request_send
from parcauto.servicedesk.services.thread import (
    request_assign,
    request_note_add,
    request_reply_by_customer,
    request_reply_by_staff,
    request_state_change,
)
from tests.backoffice.staff import staff_member

from .conftest import CARD, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
State = ServiceRequest.State


@pytest.fixture
def sent(active) -> ServiceRequest:
    return modification_request_send(
        subscription=active,
        person=active.person,
        contact_email=active.person.email,
        full_name="Marie Tremblay",
        text="Je voudrais le permis G.",
        now=NOW,
    )


def state_of(request: ServiceRequest) -> str:
    request.refresh_from_db()
    return request.state


def test_a_staff_reply_puts_a_new_request_in_progress_and_is_emailed(sent, agent, commit):
    with commit():
        request_reply_by_staff(request=sent, actor=agent, body="C'est noté.", now=NOW)
    assert state_of(sent) == State.IN_PROGRESS
    reply = mail.outbox[-1]
    assert reply.to == [sent.person.email]
    assert "C'est noté." in reply.body
    assert reply.subject.startswith(f"[Demande {sent.number}]")


def test_a_reply_that_asks_waits_for_the_customer_whose_answer_resumes_it(sent, agent):
    request_reply_by_staff(
        request=sent, actor=agent, body="Quelle date?", wait_for_customer=True, now=NOW
    )
    assert state_of(sent) == State.WAITING
    request_reply_by_customer(request=sent, person=sent.person, body="Le 1er août.", now=NOW)
    assert state_of(sent) == State.IN_PROGRESS
    kinds = list(sent.messages.values_list("kind", flat=True))
    assert kinds == [ServiceMessage.Kind.STAFF, ServiceMessage.Kind.CUSTOMER]


def test_a_done_request_reopens_when_its_person_writes_with_a_new_due_date(sent, agent):
    request_state_change(request=sent, state=State.DONE, actor=agent, now=NOW)
    sent.refresh_from_db()
    assert sent.closed_at == NOW
    later = NOW + dt.timedelta(days=7)
    request_reply_by_customer(request=sent, person=sent.person, body="Encore moi.", now=later)
    sent.refresh_from_db()
    assert (sent.state, sent.closed_at) == (State.IN_PROGRESS, None)
    assert sent.due_at > later


def test_every_state_can_be_reached_and_each_change_is_audited_and_emailed(sent, agent, commit):
    path = [State.IN_PROGRESS, State.WAITING, State.IN_PROGRESS, State.DONE, State.NEW]
    with commit():
        for state in path:
            request_state_change(request=sent, state=state, actor=agent, now=NOW)
    changes = AuditEvent.objects.filter(action="servicedesk.state_changed").order_by("pk")
    assert [event.data["state"] for event in changes] == path
    assert len([m for m in mail.outbox if "[Demande" in m.subject]) == len(path)
    with pytest.raises(NotAllowed):
        request_state_change(request=sent, state="lost", actor=agent, now=NOW)


def test_an_internal_note_is_never_emailed(sent, agent, commit):
    with commit():
        request_note_add(request=sent, actor=agent, body="Client connu.", now=NOW)
    assert mail.outbox == []
    assert sent.messages.get().kind == ServiceMessage.Kind.NOTE


def test_no_card_number_in_any_message(sent, agent):
    for send in (
        lambda: request_reply_by_customer(request=sent, person=sent.person, body=CARD, now=NOW),
        lambda: request_reply_by_staff(request=sent, actor=agent, body=CARD, now=NOW),
        lambda: request_note_add(request=sent, actor=agent, body=CARD, now=NOW),
    ):
        with pytest.raises(CardNumberRefused):
            send()
    assert sent.messages.count() == 0


def test_only_its_person_answers_a_request(sent, agent):
    with pytest.raises(NotAllowed):
        request_reply_by_customer(request=sent, person=agent, body="Bonjour", now=NOW)


def test_a_request_is_assigned_to_staff_of_its_institution_only(sent, agent, other_organization):
    request_assign(request=sent, assignee=agent, actor=agent, now=NOW)
    sent.refresh_from_db()
    assert sent.assignee == agent
    stranger = staff_member(StaffRole.Role.AGENT, other_organization, email="agent@cisso.example")
    with pytest.raises(NotAllowed):
        request_assign(request=sent, assignee=stranger, actor=agent, now=NOW)
    request_assign(request=sent, assignee=None, actor=agent, now=NOW)
    sent.refresh_from_db()
    assert sent.assignee is None
    assert AuditEvent.objects.filter(action="servicedesk.assigned").count() == 2


def test_a_reply_is_escaped_in_the_html_email(sent, agent, commit):
    with commit():
        request_reply_by_staff(request=sent, actor=agent, body="<b>Fait</b> & réglé", now=NOW)
    html = mail.outbox[-1].alternatives[0][0]
    assert "&lt;b&gt;Fait&lt;/b&gt; &amp; réglé" in html
    assert "<b>Fait</b> & réglé" in mail.outbox[-1].body  # the text part as typed
