"""Issue 9, finding 6: a private file is downloaded under a name Parcauto makes, with the
extension of the type its bytes showed; the name it was uploaded with is only text.

Before: a PDF uploaded as `releve.html` came back as `releve.html`, and a name with a
bidi override and a path reached Content-Disposition as it was typed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcauto.accounts.models import StaffRole
from parcauto.core.http import download_name
from parcauto.core.uploads import display_name
from parcauto.payments.models import CollectionFile, PaymentMethod
from parcauto.subscriptions.models import Attachment
from parcauto.subscriptions.services import drafts
from tests.backoffice.conftest import signed_in
from tests.backoffice.requests import NOW, offer_of, submitted_request
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory, VehicleFactory
from tests.pages import PDF, page
from tests.payments.test_collection_admin import collected  # noqa: F401 - a fixture
from tests.portal import test_subscription_wizard as wizard
from tests.portal.test_subscription_wizard import (
    DETAILS,
    NEW,
    SUMMARY,
    VEHICLES,
    choose_data,
    draft_of,
    pay_by_card,
)

chus, john = wizard.chus, wizard.john

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "passwd\u202efdp.exe" shows as "passwdexe.pdf"


@pytest.fixture
def manager(organization):
    return staff_member(StaffRole.Role.MANAGER, organization)


def test_a_pdf_uploaded_as_html_is_served_as_preuve_pdf_to_the_person_and_to_staff(
    portal_client, chus, john, manager
) -> None:
    assert portal_client.post(NEW, choose_data(chus)).status_code == 302
    vehicle = VehicleFactory(owner=john, plate="ABC123")
    assert portal_client.post(VEHICLES, {"vehicles": [vehicle.pk]}).status_code == 302
    response = portal_client.post(
        DETAILS,
        {
            "school": "Université de Sherbrooke",
            "internship_discipline": "Soins",
            "proof": SimpleUploadedFile("releve.html", PDF, content_type="text/html"),
        },
    )
    assert response.status_code == 302
    draft = draft_of(john)
    assert draft is not None
    proof = Attachment.objects.get(subscription=draft)
    assert (proof.original_name, proof.content_type) == ("releve.html", "application/pdf")

    # The draft's own proof, before submission: no contract number yet.
    mine = portal_client.get(f"/abonnements/{draft.pk}/pieces/{proof.pk}/")
    assert mine["Content-Disposition"] == 'attachment; filename="preuve.pdf"'

    assert portal_client.post(SUMMARY).status_code == 302
    assert pay_by_card(portal_client, draft).status_code == 302
    draft.refresh_from_db()
    number = draft.contract_number
    assert number is not None
    for client, url in (
        (portal_client, f"/abonnements/{draft.pk}/pieces/{proof.pk}/"),
        (signed_in(manager), f"/gestion/demandes/{draft.pk}/pieces/{proof.pk}/"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="preuve-{number}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_a_bidi_name_with_a_path_never_reaches_content_disposition(organization, manager) -> None:
    request = submitted_request(offer_of(organization))
    # A name that survived the upload's own clean-up (backslashes are no separator here).
    typed = f"..\\..\\etc\\passwd{RLO}fdp.exe"
    drafts_proof = SimpleUploadedFile(typed, PDF, content_type="application/pdf")
    assert drafts_proof.name == typed
    attachment = request.attachments.get()
    attachment.original_name = display_name(drafts_proof.name)
    attachment.save()

    response = signed_in(manager).get(f"/gestion/demandes/{request.pk}/pieces/{attachment.pk}/")
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="preuve-{request.contract_number}.pdf"'
    assert RLO not in disposition and ".." not in disposition and "exe" not in disposition

    # Staff see the name as escaped text: the override is written out, never applied.
    html = page(signed_in(manager).get(f"/gestion/demandes/{request.pk}/"))
    assert RLO not in html
    assert "..\\..\\etc\\passwd\\u202efdp.exe" in html


def test_a_stored_name_is_escaped_when_the_proof_is_uploaded(organization) -> None:
    offer = offer_of(organization)
    draft = drafts.subscription_draft_choose(
        person=ProfileFactory().user,
        organization=organization,
        lot=offer.lot,
        category=offer.category,
        product=offer.product,
        start_date=NOW.date(),
        end_date=NOW.date() + dt.timedelta(days=60),
        accepted_conditions=True,
        accepted_approval_notice=True,
        now=NOW,
    )
    drafts.subscription_draft_set_details(
        subscription=draft,
        school="UdeS",
        internship_discipline="Soins",
        proof=SimpleUploadedFile(f"passwd{RLO}fdp.exe\u200b", PDF),
        now=NOW,
    )
    assert draft.attachments.get().original_name == "passwd\\u202efdp.exe\\u200b"


def test_a_cheque_specimen_is_served_with_the_extension_of_its_bytes(
    collected,  # noqa: F811 - the fixture: a PNG uploaded as cheque.pdf
    organization,
    manager,
) -> None:
    method = PaymentMethod.objects.get()
    response = signed_in(manager).get(f"/admin/payments/paymentmethod/{method.pk}/download/")
    assert response["Content-Type"] == "image/png"
    number = method.subscription.contract_number
    assert response["Content-Disposition"] == (
        f'attachment; filename="specimen-cheque-{number}.png"'
    )
    file = CollectionFile.objects.get()
    response = signed_in(manager).get(f"/admin/payments/collectionfile/{file.pk}/download/")
    assert response["Content-Type"] == "text/plain; charset=us-ascii"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cpa005-{organization.slug}-2026-07-01-0001.txt"'
    )


@pytest.mark.parametrize(
    ("stem", "content_type", "name"),
    [
        ("preuve-100000001", "application/pdf", "preuve-100000001.pdf"),
        ("specimen-cheque-42", "image/jpeg", "specimen-cheque-42.jpg"),
        (f"../{RLO}Évaluation finale", "image/png", "valuation-finale.png"),
        ("", "text/html", "fichier.bin"),
        (
            "cpa005-chus-2026-07-01-0001",
            "text/plain; charset=us-ascii",
            "cpa005-chus-2026-07-01-0001.txt",
        ),
    ],
)
def test_a_download_name_is_lower_case_ascii_with_the_types_extension(
    stem: str, content_type: str, name: str
) -> None:
    assert download_name(stem, content_type) == name
