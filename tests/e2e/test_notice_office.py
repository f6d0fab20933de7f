"""The notices' back office in a real browser, on a desktop and on a 390 px phone: the list,
one notice with its photos, cancelling it, the weekly chart, plate checks and revenue.

Each step is screenshotted and checked (labels, contrast, nothing wider than the screen).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from parcauto.core.clock import LOCAL_TZ, local_today, now
from parcauto.enforcement.models import (
    CheckReason,
    ClaimNotice,
    NoticeReason,
    NoticeTariff,
    PlateCheck,
    Verdict,
)
from parcauto.tenants.models import Organization
from tests.backoffice.notices import check_make, notice_make, photo_make
from tests.backoffice.staff import TOTP_SECRET, staff_member
from tests.e2e.support import Portal, Steps, field, heading, staff_log_in
from tests.e2e.test_subscription_journeys import PASSWORD
from tests.factories import ParkingLotFactory, UserFactory

pytestmark = pytest.mark.e2e

State = ClaimNotice.State
REASON = "Permis valide présenté au comptoir"


def _car_photo() -> bytes:
    """A photo-sized JPEG with something drawn on it (a car's plate, more or less)."""
    image = Image.new("RGB", (640, 480), (120, 130, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((160, 200, 480, 380), fill=(30, 60, 120))
    draw.rectangle((250, 330, 390, 370), fill=(240, 240, 240))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _office(organization: Organization) -> ClaimNotice:
    """Eight weeks of notices in three lots, a few paid this month, today's checks; the
    notice to open, with two photos (one without a location)."""
    moment = now()
    lots = [
        ParkingLotFactory(organization=organization, number="1085", name="Fleurimont"),
        ParkingLotFactory(organization=organization, number="1086", name="Hôtel-Dieu"),
        ParkingLotFactory(organization=organization, number="1461", name="Saint-Vincent"),
    ]
    NoticeTariff.objects.create(
        organization=organization, reason=NoticeReason.NO_PERMIT, amount=Decimal("57.49")
    )
    agents = [UserFactory(email="jean.patrouille@chus.example"), UserFactory()]
    for index in range(24):
        at = moment - dt.timedelta(days=index * 2 + 1, hours=index % 5)
        state = State.PAID if index % 4 == 0 else State.ISSUED
        notice_make(
            organization,
            at=at,
            lot=lots[index % 3 if index % 2 else 0],
            agent=agents[index % 2],
            plate=f"K{index:02d}PLQ",
            amount="57.49",
            gst="2.50",
            qst="4.99",
            state=state,
            state_changed_at=moment - dt.timedelta(hours=index) if state == State.PAID else at,
        )
    # Today's, whatever the hour the test runs at (the history shows one local day).
    midnight = dt.datetime.combine(local_today(), dt.time(0), tzinfo=LOCAL_TZ)
    check = check_make(
        organization, lot=lots[0], at=max(moment - dt.timedelta(minutes=12), midnight)
    )
    check_make(
        organization,
        lot=lots[1],
        at=max(moment - dt.timedelta(minutes=40), midnight),
        plate="VAL123",
        verdict=Verdict.VALID,
        reason=CheckReason.VALID_PERMIT,
        source=PlateCheck.Source.DEVICE,
        confidence=Decimal("0.930"),
        candidates=[{"plate": "VA1123", "jurisdiction": "QC", "edits": 1}],
    )
    notice = notice_make(
        organization,
        at=moment - dt.timedelta(minutes=10),
        lot=lots[0],
        agent=agents[0],
        plate="ABC123",
        amount="57.49",
        gst="2.50",
        qst="4.99",
        zone="P3, rangée 4",
        vehicle_make="Toyota",
        vehicle_colour="Gris",
        comment="Stationné devant la sortie de secours.",
        plate_check=check,
    )
    for latitude in ("45.402100", None):
        photo_make(
            notice,
            latitude=latitude,
            longitude=latitude and "-71.889700",
            content=_car_photo(),
            size=(640, 480),
        )
    return notice


def _sign_in(page: Page, root: Portal, email: str) -> None:
    # Eight people's tests share two cores: a first page may take more than the default.
    page.set_default_timeout(30_000)
    staff_log_in(page, root, email, PASSWORD, TOTP_SECRET)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(root.pattern("/admin/"))


def _tour(page: Page, root: Portal, shot: Steps, notice: ClaimNotice, *, cancel: bool) -> None:
    page.goto(root.url("/gestion/avis/"))
    expect(heading(page)).to_have_text("Avis de réclamation")
    expect(page.get_by_role("status")).to_have_text("25 avis")
    shot("01-list")
    page.get_by_role("link", name=notice.number, exact=True).click()
    expect(heading(page)).to_have_text(f"Avis {notice.number}")
    expect(page.get_by_text("45.402100, -71.889700")).to_be_visible()
    expect(page.get_by_role("img", name="Photo 1 du véhicule ABC123")).to_be_visible()
    shot("02-detail")
    if cancel:
        field(page, "Motif de l'annulation").fill(REASON)
        page.get_by_role("button", name="Continuer").click()
        expect(heading(page)).to_have_text("Confirmer l'annulation")
        shot("03-confirm")
        page.get_by_role("button", name="Annuler l'avis").click()
        expect(page.get_by_role("status").first).to_contain_text("annulé")
        expect(page.get_by_text(REASON)).to_be_visible()
        shot("04-cancelled")
    page.get_by_role("link", name="Avis de réclamation", exact=True).last.click()  # breadcrumb
    page.get_by_role("link", name="Par stationnement et semaine").click()
    chart = page.get_by_role("img", name="Avis de réclamation par semaine")
    table = page.get_by_role("table", name="Avis de réclamation par stationnement")
    expect(table).to_be_visible()
    if (page.viewport_size or {}).get("width", 0) >= 768:
        expect(chart).to_be_visible()
    else:  # too small to read on a phone: the table alone
        expect(chart).to_be_hidden()
    shot("05-weekly")
    page.get_by_role("link", name="Vérifications de plaques").click()
    expect(page.get_by_role("status")).to_have_text("2 vérifications")
    shot("06-checks")
    page.goto(root.url("/gestion/facturation/revenus/"))
    expect(page.get_by_role("heading", name="Avis de réclamation payés")).to_be_visible()
    shot("07-revenue")


@pytest.mark.viewport("desktop")
def test_a_manager_reviews_and_cancels_a_notice_on_a_desktop(
    page: Page, shot: Steps, root: Portal, chus: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    notice = _office(organization)
    manager = staff_member("manager", organization, email="gestion@chus.example")
    _sign_in(page, root, manager.email)
    _tour(page, root, shot, notice, cancel=True)
    notice.refresh_from_db()
    assert (notice.state, notice.state_reason) == (State.CANCELLED, REASON)
    shot.assert_all_french()


def test_an_agent_reads_the_notices_on_a_phone(
    page: Page, shot: Steps, root: Portal, chus: Portal
) -> None:
    organization = Organization.objects.get(slug="ciusse-chus")
    notice = _office(organization)
    agent = staff_member("agent", organization, email="agent@chus.example")
    _sign_in(page, root, agent.email)
    _tour(page, root, shot, notice, cancel=False)
    shot.assert_all_french()
