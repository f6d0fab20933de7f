"""Sending a modification or a report: numbered, audited, acknowledged; refused whole when it
carries a card number or a file that is not what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.audit.models import AuditEvent
from parcauto.core.uploads import UploadRefused
from parcauto.notifications.models import OutboundEmail
from parcauto.servicedesk.errors import CardNumberRefused, NotAllowed
from parcauto.servicedesk.models import ServiceAttachment, ServiceRequest
from parcauto.servicedesk.services.requests import modification_request_send, report_send

from .conftest import CARD, NOW, PDF, PNG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def send(contract, text="Je souhaite passer au permis G à partir du 1er août.", **kwargs):
    return modification_request_send(
        subscription=contract,
        person=contract.person,
        contact_email=contract.person.email,
        full_name="Marie Tremblay",
        text=text,
        now=NOW,
        **kwargs,
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_modification_gets_a_number_its_subject_its_file_and_an_acknowledgement(
    active, settings, commit
):
    with commit():
        sent = send(active, attachment=SimpleUploadedFile("attestation.pdf", PDF))

    assert sent.number >= 300_001
    assert sent.kind == ServiceRequest.Kind.MODIFICATION
    assert sent.state == ServiceRequest.State.NEW
    assert sent.subject == f"Demande de modification: contrat: {active.contract_number}"
    attachment = ServiceAttachment.objects.get(request=sent)
    assert (attachment.content_type, attachment.original_name) == (
        "application/pdf",
        "attestation.pdf",
    )
    assert len(stored_files(settings)) == 1
    assert AuditEvent.objects.filter(
        action="servicedesk.request_sent", target_id=str(sent.pk)
    ).exists()
    (message,) = mail.outbox
    assert message.to == [active.person.email]
    assert message.subject.startswith(f"[Demande {sent.number}] ")
    assert f"/demandes/{sent.pk}/" in message.body


def test_the_answer_is_due_after_the_institutions_response_time_in_business_days(active):
    sent = send(active)  # Wednesday 10 June, 10:00: two business days later is Friday
    assert sent.due_at == NOW.replace(day=12)


def test_numbers_follow_each_other(active):
    assert send(active).number + 1 == send(active).number


@pytest.mark.parametrize("text", [f"Ma carte {CARD} est expirée", "4242-4242-4242-4242"])
def test_a_card_number_refuses_the_request_and_nothing_is_stored(active, settings, commit, text):
    with commit(), pytest.raises(CardNumberRefused) as refused:
        send(active, text=text, attachment=SimpleUploadedFile("preuve.pdf", PDF))

    assert str(refused.value.message) == (
        "Ne transmettez pas votre numéro de carte de crédit dans ce message."
    )
    assert ServiceRequest.objects.count() == 0
    assert ServiceAttachment.objects.count() == 0
    assert stored_files(settings) == []
    assert not AuditEvent.objects.filter(action__startswith="servicedesk.").exists()
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_file_that_is_not_a_document_refuses_the_request(active, settings):
    with pytest.raises(UploadRefused):
        send(active, attachment=SimpleUploadedFile("photo.pdf", b"MZ\x90\x00 not a pdf"))
    assert ServiceRequest.objects.count() == 0
    assert stored_files(settings) == []


def test_a_file_over_10_mb_is_refused(active):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(UploadRefused) as refused:
        send(active, attachment=big)
    assert refused.value.code == "file_too_large"


def test_only_the_holder_may_ask_to_modify_a_contract_in_force(active, other_person):
    with pytest.raises(NotAllowed):
        modification_request_send(
            subscription=active,
            person=other_person,
            contact_email="x@example.com",
            full_name="X",
            text="Bonjour",
            now=NOW,
        )
    active.status = active.Status.ENDED
    with pytest.raises(NotAllowed):
        send(active)


def test_a_report_names_its_lot_and_problem_and_keeps_up_to_three_photos(active, product):
    lot = product.lots.get()
    photos = [SimpleUploadedFile(f"p{n}.png", PNG) for n in range(3)]
    sent = report_send(
        organization=active.organization,
        person=active.person,
        lot=lot,
        problem=ServiceRequest.Problem.GATE,
        text="La barrière de la sortie est bloquée.",
        photos=photos,
        now=NOW,
    )
    assert (sent.kind, sent.lot, sent.problem) == ("report", lot, "gate")
    assert sent.subject == "Rapport\u00a0: Barrière en panne, stationnement 1534"
    assert sent.attachments.count() == 3
    with pytest.raises(NotAllowed):
        report_send(
            organization=active.organization,
            person=active.person,
            lot=lot,
            problem="snow",
            text="Neige",
            photos=[SimpleUploadedFile(f"p{n}.png", PNG) for n in range(4)],
            now=NOW,
        )


@pytest.fixture
def other_person(db):
    from tests.factories import ProfileFactory

    return ProfileFactory().user


def test_a_report_takes_photos_not_documents(active, product):
    with pytest.raises(UploadRefused) as refused:
        report_send(
            organization=active.organization,
            person=active.person,
            lot=product.lots.get(),
            problem="lighting",
            text="Lampadaire éteint.",
            photos=[SimpleUploadedFile("photo.pdf", PDF)],
            now=NOW,
        )
    assert refused.value.code == "not_a_photo"
    assert ServiceRequest.objects.count() == 0
