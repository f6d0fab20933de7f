"""Issuing a notice: amounts and dates from the tariff, photos stripped of their EXIF,
the account of the plate told, and everything refused writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.core.checkdigits import luhn_valid
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.errors import (
    AlreadyNoticedToday,
    NoTariff,
    NoticeRefused,
    PhotoRefused,
)
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, NoticeReason, NoticeTariff
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from parcauto.subscriptions.models import Subscription
from tests.access.grants import contract_of
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import check_of, photo_jpeg, photo_png, tariffs_of
from tests.factories import ParkingLotFactory, VehicleFactory
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 June 2026, 10:00 in Quebec.
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
SEEN = NOW - dt.timedelta(minutes=5)


@pytest.fixture
def offer(organization):
    return offer_of(organization)


@pytest.fixture
def agent(organization):
    return staff_member(StaffRole.Role.PATROL, organization, email="patrouille@chus.example")


def _draft(lot, **changes) -> NoticeDraft:
    values = {
        "lot": lot,
        "plate": "abc 123",
        "jurisdiction": "QC",
        "reason": NoticeReason.NO_PERMIT,
        "observed_at": SEEN,
        "zone": " P2-14 ",
        "vehicle_make": "Honda",
        "vehicle_colour": "Bleu",
    }
    return NoticeDraft(**(values | changes))


def _issue(organization, lot, agent, **kwargs) -> ClaimNotice:
    draft = kwargs.pop("draft", None) or _draft(lot)
    return notice_issue(organization=organization, draft=draft, agent=agent, now=NOW, **kwargs)


def test_a_notice_from_a_check_takes_its_tariff_and_its_dates(organization, offer, agent):
    tariffs_of(organization, amount="57.49", taxable=True)
    check = check_of(offer.lot, agent=agent, at=SEEN)
    notice = _issue(organization, offer.lot, agent, plate_check=check)
    notice.refresh_from_db()
    assert luhn_valid(notice.number)
    assert (notice.plate, notice.zone, notice.plate_check) == ("ABC123", "P2-14", check)
    assert (notice.pre_tax, notice.gst, notice.qst) == (
        Decimal("50.00"),
        Decimal("2.50"),
        Decimal("4.99"),
    )
    assert notice.total == Decimal("57.49") and notice.late_fee == Decimal("15.00")
    assert notice.due_date == dt.date(2026, 7, 1)
    assert notice.collection_date == dt.date(2026, 8, 30)
    assert notice.state == ClaimNotice.State.ISSUED and notice.person is None
    event = AuditEvent.objects.get(action="enforcement.notice_created")
    assert event.actor == agent and event.data["number"] == notice.number
    assert event.data["check"] == check.pk


def test_a_photo_is_resized_and_its_location_kept_in_the_row_only(organization, offer, agent):
    tariffs_of(organization)
    notice = _issue(
        organization,
        offer.lot,
        agent,
        photos=[photo_jpeg(orientation=6), photo_png()],
    )
    first, second = NoticePhoto.objects.filter(notice=notice)
    assert (first.latitude, first.longitude) == (Decimal("45.403400"), Decimal("-71.891700"))
    assert first.taken_at == dt.datetime(2026, 6, 1, 9, 55, tzinfo=LOCAL_TZ)
    # Turned upright (orientation 6: a portrait taken sideways), at most 1600 px.
    assert (first.width, first.height) == (1200, 1600)
    with first.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG" and image.size == (1200, 1600)
        assert not image.getexif() and "exif" not in image.info
    assert second.latitude is None and second.content_type == "image/jpeg"
    assert first.image.name.startswith(f"notices/{organization.pk}/{notice.pk}/")
    assert "IMG_0001" not in first.image.name


@pytest.mark.parametrize(
    "photos",
    [
        [SimpleUploadedFile("avis.jpg", b"%PDF-1.4\n" + b"0" * 200)],
        [SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg" * 10)],
        [photo_jpeg(size=(200, 100)) for _ in range(5)],
    ],
    ids=["pdf", "broken", "five"],
)
def test_a_refused_photo_issues_nothing(organization, offer, agent, photos):
    tariffs_of(organization)
    with pytest.raises(PhotoRefused):
        _issue(organization, offer.lot, agent, photos=photos)
    assert not ClaimNotice.objects.exists() and not NoticePhoto.objects.exists()


def test_without_a_tariff_nothing_is_issued(organization, offer, agent):
    NoticeTariff.objects.create(
        organization=organization, reason=NoticeReason.EXPIRED, amount=Decimal("30.00")
    )
    with pytest.raises(NoTariff):
        _issue(organization, offer.lot, agent)
    assert not ClaimNotice.objects.exists()


def test_a_lot_of_another_institution_a_bad_plate_or_a_future_time_are_refused(
    organization, other_organization, offer, agent
):
    tariffs_of(organization)
    with within(other_organization):
        elsewhere = ParkingLotFactory(organization=other_organization)
    cases = {
        "lot": _draft(elsewhere),
        "plate": _draft(offer.lot, plate="AB#1"),
        "jurisdiction": _draft(offer.lot, jurisdiction="XX"),
        "observed_at": _draft(offer.lot, observed_at=NOW + dt.timedelta(hours=1)),
    }
    for field, draft in cases.items():
        with pytest.raises(NoticeRefused) as refused:
            _issue(organization, offer.lot, agent, draft=draft)
        assert refused.value.field == field
    assert not ClaimNotice.objects.exists()


def test_an_agent_limited_to_other_lots_issues_no_notice_in_this_one(organization, offer):
    tariffs_of(organization)
    elsewhere = ParkingLotFactory(organization=organization, number="2000")
    limited = staff_member(StaffRole.Role.PATROL, organization, lots=[elsewhere])
    with pytest.raises(NoticeRefused) as refused:
        _issue(organization, offer.lot, limited)
    assert refused.value.field == "lot"
    assert str(refused.value.message) == "Choisissez un des stationnements où vous patrouillez."
    assert not ClaimNotice.objects.exists()
    assert _issue(organization, elsewhere, limited, draft=_draft(elsewhere)).lot == elsewhere


def test_a_double_tap_issues_once_and_a_plate_once_a_day(organization, offer, agent):
    tariffs_of(organization)
    check = check_of(offer.lot, agent=agent, at=SEEN)
    first = _issue(organization, offer.lot, agent, plate_check=check)
    again = _issue(organization, offer.lot, agent, plate_check=check)
    assert again.pk == first.pk
    with pytest.raises(AlreadyNoticedToday):
        _issue(organization, offer.lot, agent, draft=_draft(offer.lot, zone="P3"))
    assert ClaimNotice.objects.count() == 1


def test_the_account_with_the_plate_gets_the_notice_by_email_in_its_language(
    organization, offer, agent, django_capture_on_commit_callbacks
):
    tariffs_of(organization)
    contract = contract_of(offer, start=NOW.date())
    person = contract.person
    person.language = "en"
    person.save(update_fields=["language"])
    VehicleFactory(owner=person, plate="ABC123", jurisdiction="QC")
    with django_capture_on_commit_callbacks(execute=True):
        notice = _issue(organization, offer.lot, agent)
    assert notice.person == person
    [sent] = mail.outbox
    assert sent.to == [person.email]
    assert f"Claim notice no. {notice.number}" in sent.subject
    assert f"/avis-de-reclamation/?numero={notice.number}" in sent.body
    [(filename, content, mimetype)] = sent.attachments
    assert mimetype == "application/pdf"
    assert filename == f"avis-{notice.number}.pdf" and content.startswith(b"%PDF")


def test_two_accounts_with_the_plate_only_the_checked_contract_is_told(
    organization, offer, agent, django_capture_on_commit_callbacks
):
    tariffs_of(organization)
    first = contract_of(offer, start=NOW.date())
    second = contract_of(offer, start=NOW.date(), status=Subscription.Status.ENDED)
    for contract in (first, second):
        VehicleFactory(owner=contract.person, plate="ABC123", jurisdiction="QC")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _issue(organization, offer.lot, agent)
    assert unknown.person is None and mail.outbox == []
    unknown.delete()
    check = check_of(offer.lot, agent=agent, at=SEEN, subscription=second)
    with django_capture_on_commit_callbacks(execute=True):
        notice = _issue(organization, offer.lot, agent, plate_check=check)
    assert notice.person == second.person
    assert [message.to for message in mail.outbox] == [[second.person.email]]
