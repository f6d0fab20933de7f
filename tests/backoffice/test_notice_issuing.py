"""The issuing pages of patrol: a notice from a check (with a photo) or typed in full,
its printouts, and who may reach them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from parcauto.accounts.models import StaffRole
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, NoticeReason
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import check_of, photo_jpeg, tariffs_of
from tests.scoping import unscoped, within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def offer(organization):
    return offer_of(organization)


@pytest.fixture
def patroller(organization):
    return staff_member(Role.PATROL, organization, email="patrouille@chus.example")


@pytest.fixture
def check(offer, patroller):
    return check_of(offer.lot, agent=patroller, at=NOW - dt.timedelta(minutes=2))


def _issue_url(check) -> str:
    return f"/gestion/patrouille/verifications/{check.pk}/avis/"


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_patrol_agent_issues_a_notice_with_a_photo_and_prints_it(
    organization, offer, patroller, check
):
    tariffs_of(organization, amount="75.00")
    client = signed_in(patroller)
    page = client.get(_issue_url(check))
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode() and check.plate in page.content.decode()
    response = unscoped(client.post)(
        _issue_url(check),
        {"reason": NoticeReason.NO_PERMIT, "zone": "P2", "photos": [photo_jpeg()]},
    )
    notice = ClaimNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/patrouille/avis/{notice.pk}/"
    assert (notice.agent, notice.plate_check, notice.zone) == (patroller, check, "P2")
    assert NoticePhoto.objects.filter(notice=notice).count() == 1
    issued = client.get(response["Location"])
    assert notice.number in issued.content.decode()
    # Back on the check: it has its notice, a second one is not offered.
    assert client.get(_issue_url(check))["Location"] == response["Location"]
    for path, width in (("avis.pdf", 612), ("avis-80mm.pdf", 227)):
        printed = client.get(f"/gestion/patrouille/avis/{notice.pk}/{path}")
        assert printed["Content-Type"] == "application/pdf"
        assert printed["Cache-Control"] == "private, no-store"
        reader = PdfReader(io.BytesIO(printed.content))
        assert round(float(reader.pages[0].mediabox.width)) == width
        text = _pdf_text(printed.content)
        assert notice.number in text and "ABC123" in text and "75,00" in text
        assert f"chus.testserver/avis-de-reclamation/?numero={notice.number}" in text.replace(
            "\n", ""
        )


def test_a_typed_notice_from_the_back_office(organization, offer):
    tariffs_of(organization)
    manager = staff_member(Role.MANAGER, organization)
    response = signed_in(manager).post(
        "/gestion/avis/nouveau/",
        {
            "lot": offer.lot.pk,
            "plate": "xyz 987",
            "jurisdiction": "ON",
            "observed_on": "2026-06-01",
            "observed_time": "08:30",
            "reason": NoticeReason.RESERVED_SPOT,
        },
    )
    assert response.status_code == 302
    notice = ClaimNotice.objects.get()
    assert (notice.plate, notice.jurisdiction, notice.reason) == ("XYZ987", "ON", "reserved_spot")
    assert notice.observed_at == dt.datetime(2026, 6, 1, 8, 30, tzinfo=LOCAL_TZ)
    assert notice.plate_check is None and notice.agent == manager


def test_without_a_tariff_the_form_says_so_and_nothing_is_written(offer, patroller, check):
    before = snapshot(ClaimNotice)
    response = signed_in(patroller).post(_issue_url(check), {"reason": NoticeReason.NO_PERMIT})
    assert response.status_code == 400
    assert "Aucun tarif" in response.content.decode()
    assert snapshot(ClaimNotice) == before


def test_other_institutions_and_non_patrol_staff_are_kept_out(
    organization, other_organization, offer, check
):
    tariffs_of(organization)
    service_agent = staff_member(Role.AGENT, organization)
    stranger = staff_member(Role.PATROL, other_organization)
    assert signed_in(service_agent).get(_issue_url(check)).status_code == 403
    assert signed_in(service_agent).get("/gestion/avis/nouveau/").status_code == 403
    assert signed_in(stranger).get(_issue_url(check)).status_code == 404
    with within(other_organization):
        other_lot = offer_of(other_organization, lot_number="2001").lot
    # A lot of another institution is not a choice in the typed form.
    response = signed_in(stranger).post(
        "/gestion/avis/nouveau/",
        {
            "lot": offer.lot.pk,
            "plate": "ABC123",
            "jurisdiction": "QC",
            "observed_on": "2026-06-01",
            "observed_time": "09:00",
            "reason": "no_permit",
        },
    )
    assert response.status_code == 400 and not ClaimNotice.objects.exists()
    assert f'value="{other_lot.pk}"' in response.content.decode()
