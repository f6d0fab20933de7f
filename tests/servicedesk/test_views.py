"""The pages: the holder's own requests only (anyone else's is a 404, another portal's
too), refusals shown next to their field with nothing stored, and the staff inbox narrowed
to the staff member's institutions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parcauto.accounts.models import StaffRole
from parcauto.servicedesk.models import FaqEntry, ServiceRequest
from parcauto.servicedesk.services.requests import modification_request_send
from tests.backoffice.conftest import signed_in
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory

from .conftest import CARD, NOW, PDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def on_portal(user, host="chus.testserver") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


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


def test_the_modification_form_is_prefilled_as_guide_001_shows_it(active):
    page = on_portal(active.person).get(f"/abonnements/{active.pk}/modification/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{active.person.email}"' in html
    assert 'value="Marie Tremblay"' in html
    assert f"contrat: {active.contract_number}" in html
    assert "guidance-box" in html


def test_sending_it_with_a_file_shows_the_request(active):
    client = on_portal(active.person)
    response = client.post(
        f"/abonnements/{active.pk}/modification/",
        {
            "contact_email": active.person.email,
            "full_name": "Marie Tremblay",
            "comments": "Passer au permis G le 1er août.",
            "attachment": SimpleUploadedFile("lettre.pdf", PDF),
        },
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/demandes/{request.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Passer au permis G le 1er août." in detail
    assert "lettre.pdf" in detail
    attachment = request.attachments.get()
    download = client.get(f"/demandes/{request.pk}/pieces/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_card_number_is_refused_beside_the_comments_and_nothing_is_stored(active):
    response = on_portal(active.person).post(
        f"/abonnements/{active.pk}/modification/",
        {
            "contact_email": active.person.email,
            "full_name": "Marie Tremblay",
            "comments": f"Ma nouvelle carte: {CARD}",
            "attachment": SimpleUploadedFile("lettre.pdf", PDF),
        },
    )
    assert response.status_code == 200  # the form again, as every portal form
    assert response.context["form"].errors["comments"] == [
        "Ne transmettez pas votre numéro de carte de crédit dans ce message."
    ]
    assert ServiceRequest.objects.count() == 0


def test_the_cancellation_page_says_the_earliest_day_and_refuses_an_earlier_one(active):
    client = on_portal(active.person)
    page = client.get(f"/abonnements/{active.pk}/annulation/")
    assert page.status_code == 200
    assert 'min="2026-07-10"' in page.content.decode()
    too_early = client.post(
        f"/abonnements/{active.pk}/annulation/",
        {"subscription": active.pk, "last_day": "2026-07-09"},
    )
    assert too_early.status_code == 200
    assert "last_day" in too_early.context["form"].errors
    sent = client.post(
        f"/abonnements/{active.pk}/annulation/",
        {"subscription": active.pk, "last_day": "2026-07-10"},
    )
    assert sent.status_code == 302
    assert ServiceRequest.objects.get().requested_end_date.isoformat() == "2026-07-10"


@pytest.mark.parametrize(
    "path",
    [
        "/abonnements/{contract}/modification/",
        "/abonnements/{contract}/annulation/",
        "/demandes/{request}/",
        "/demandes/{request}/retirer/",
    ],
)
def test_someone_elses_request_or_contract_is_not_found(active, sent, other_organization, path):
    url = path.format(contract=active.pk, request=sent.pk)
    stranger = ProfileFactory().user
    assert on_portal(stranger).get(url).status_code == 404
    assert on_portal(active.person, host="cisso.testserver").get(url).status_code == 404
    reply = on_portal(stranger).post(f"/demandes/{sent.pk}/repondre/", {"body": "x"})
    assert reply.status_code == 404


def test_the_person_answers_in_the_thread_and_never_sees_internal_notes(sent, agent):
    from parcauto.servicedesk.services.thread import request_note_add

    request_note_add(request=sent, actor=agent, body="Note interne secrète", now=NOW)
    client = on_portal(sent.person)
    assert "Note interne secrète" not in client.get(f"/demandes/{sent.pk}/").content.decode()
    response = client.post(f"/demandes/{sent.pk}/repondre/", {"body": "Merci!"})
    assert response.status_code == 302
    assert sent.messages.filter(kind="customer", body="Merci!").exists()


def test_the_inbox_shows_the_institutions_requests_to_its_staff_only(
    sent, agent, other_organization
):
    inbox = signed_in(agent).get("/gestion/service/")
    assert inbox.status_code == 200
    assert str(sent.number) in inbox.content.decode()
    assert inbox.context["counts"]["new"] == 1
    stranger = staff_member(StaffRole.Role.MANAGER, other_organization, email="m@cisso.example")
    assert str(sent.number) not in signed_in(stranger).get("/gestion/service/").content.decode()
    assert signed_in(stranger).get(f"/gestion/service/{sent.pk}/").status_code == 404
    reply = signed_in(stranger).post(f"/gestion/service/{sent.pk}/repondre/", {"body": "x"})
    assert reply.status_code == 404


def test_the_inbox_filters(sent, agent):
    client = signed_in(agent)
    assert client.get("/gestion/service/?kind=report").context["page"].paginator.count == 0
    assert client.get("/gestion/service/?kind=modification").context["page"].paginator.count == 1
    assert client.get("/gestion/service/?assignee=0").context["page"].paginator.count == 1
    assert client.get("/gestion/service/?overdue=on").context["page"].paginator.count == 0
    assert client.get("/gestion/service/?state=nonsense").context["page"].paginator.count == 1


def test_staff_reply_from_the_detail_page(sent, agent):
    response = signed_in(agent).post(
        f"/gestion/service/{sent.pk}/repondre/", {"body": "Réponse", "wait_for_customer": "on"}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.state == ServiceRequest.State.WAITING


def test_the_faq_is_searchable_and_sanitised(organization, holder):
    FaqEntry.objects.create(
        organization=organization,
        question_fr="Comment annuler mon abonnement?",
        answer_fr="Cliquez sur **Annuler**. <script>alert(1)</script>",
    )
    FaqEntry.objects.create(
        organization=organization, question_fr="Véhicules", answer_fr="Deux au maximum."
    )
    client = on_portal(holder)
    found = client.get("/faq/", {"q": "ANNULER"}).content.decode()
    assert "Comment annuler" in found
    assert "Véhicules" not in found
    assert "<strong>Annuler</strong>" in found
    assert "<script>alert" not in found
    assert "Véhicules" in client.get("/faq/", {"q": "vehicules"}).content.decode()
