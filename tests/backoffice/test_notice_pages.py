"""The notices' pages: the list and its filters, one notice, its photos, cancelling it.

Managers and agents of the notice's institution see it; another institution's notice is
a 404; cancelling is the managers'; patrol agents have none of these pages.
"""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticeReason
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.notices import NOTICES, notice_make, photo_make
from tests.backoffice.staff import staff_member
from tests.factories import ParkingLotFactory, UserFactory
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)
State = ClaimNotice.State


def day(number: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, number, hour, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def notices(organization, other_organization):
    """CHUS: three notices in two lots by two agents; CISSSO: one."""
    lot_a = ParkingLotFactory(organization=organization, number="1085", name="Fleurimont")
    lot_b = ParkingLotFactory(organization=organization, number="1086", name="Hôtel-Dieu")
    jean, lea = UserFactory(email="jean@chus.example"), UserFactory(email="lea@chus.example")
    first = notice_make(organization, at=day(1), lot=lot_a, agent=jean, plate="ABC123")
    second = notice_make(
        organization, at=day(5, 23), lot=lot_a, agent=lea, plate="XYZ789", state=State.PAID
    )
    third = notice_make(organization, at=day(8), lot=lot_b, agent=jean, plate="QRS456")
    foreign = notice_make(other_organization, at=day(2), plate="ABC123")
    return {
        "first": first,
        "second": second,
        "third": third,
        "foreign": foreign,
        "lot_a": lot_a,
        "lot_b": lot_b,
        "jean": jean,
    }


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"{NOTICES}?{query}")
    assert response.status_code == 200
    return [notice.number for notice in response.context["page"]]


def test_the_list_shows_the_institution_s_notices_latest_first(manager, notices):
    assert listed(signed_in(manager)) == [
        notices["third"].number,
        notices["second"].number,
        notices["first"].number,
    ]


def test_each_filter_narrows_the_list(manager, notices):
    client = signed_in(manager)
    assert listed(client, f"lot={notices['lot_b'].pk}") == [notices["third"].number]
    assert listed(client, f"agent={notices['jean'].pk}") == [
        notices["third"].number,
        notices["first"].number,
    ]
    assert listed(client, "state=paid") == [notices["second"].number]
    # Quebec days: 23:00 on the 5th is on the 5th.
    assert listed(client, "issued_from=2026-06-05&issued_to=2026-06-05") == [
        notices["second"].number
    ]
    assert listed(client, "text=xyz-789") == [notices["second"].number]
    assert listed(client, f"text={notices['first'].number}") == [notices["first"].number]


def test_another_institution_s_lot_is_an_ignored_filter(manager, notices):
    with within(notices["foreign"].organization):
        foreign_lot = notices["foreign"].lot_id
    response = signed_in(manager).get(f"{NOTICES}?lot={foreign_lot}")
    assert "lot" in response.context["form"].errors
    assert len(response.context["page"]) == 3


def test_counts_by_state_follow_the_other_filters(manager, notices):
    response = signed_in(manager).get(f"{NOTICES}?state=paid&agent={notices['jean'].pk}")
    counts = {state: count for state, _label, count in response.context["counts"]}
    assert counts == {
        "issued": 2,
        "paid": 0,
        "contested": 0,
        "cancelled": 0,
        "collection": 0,
    }


def test_the_list_pages_by_fifty(manager, organization):
    lot = ParkingLotFactory(organization=organization)
    for minute in range(51):
        notice_make(organization, at=day(3) + dt.timedelta(minutes=minute), lot=lot)
    client = signed_in(manager)
    assert len(listed(client)) == 50
    assert len(listed(client, "page=2")) == 1


def test_an_agent_sees_notices_but_may_not_cancel(agent, notices):
    client = signed_in(agent)
    response = client.get(f"{NOTICES}{notices['first'].pk}/")
    assert response.status_code == 200
    assert response.context["may_cancel"] is False
    assert "annuler/" not in response.content.decode()
    before = snapshot(ClaimNotice)
    refused = client.post(f"{NOTICES}{notices['first'].pk}/annuler/", {"reason": "Erreur"})
    assert refused.status_code == 403
    assert snapshot(ClaimNotice) == before


def test_a_patrol_agent_has_none_of_these_pages(organization, notices):
    patrol = staff_member(StaffRole.Role.PATROL, organization, email="patrouille@chus.example")
    client = signed_in(patrol)
    for path in (
        NOTICES,
        f"{NOTICES}{notices['first'].pk}/",
        f"{NOTICES}export.csv",
        f"{NOTICES}par-semaine/",
        f"{NOTICES}verifications/",
    ):
        assert client.get(path).status_code == 403, path


def test_another_institution_s_notice_and_photo_are_not_found(manager, notices):
    foreign = notices["foreign"]
    photo = photo_make(foreign)
    client = signed_in(manager)
    assert client.get(f"{NOTICES}{foreign.pk}/").status_code == 404
    assert client.get(f"{NOTICES}{foreign.pk}/photos/{photo.pk}/").status_code == 404
    # Nor through one of the manager's own notices.
    own = notices["first"]
    assert client.get(f"{NOTICES}{own.pk}/photos/{photo.pk}/").status_code == 404
    assert foreign.number not in client.get(NOTICES).content.decode()


def test_the_detail_shows_amounts_history_and_photos_with_their_location(manager, organization):
    notice = notice_make(
        organization,
        at=day(1),
        amount="57.49",
        gst="2.50",
        qst="4.99",
        reason=NoticeReason.WRONG_LOT,
        due_date=dt.date(2026, 6, 5),  # past: the late fee is owed today (10 June)
        zone="P3",
        comment="Stationné devant la sortie",
    )
    photo_make(notice)
    photo_make(notice, latitude=None, longitude=None)
    response = signed_in(manager).get(f"{NOTICES}{notice.pk}/")
    page = response.content.decode()
    for shown in (
        "50,00\u00a0$",  # before taxes
        "2,50\u00a0$",
        "4,99\u00a0$",
        "57,49\u00a0$",
        "15,00\u00a0$",  # the late fee
        "72,49\u00a0$",  # due today: total and late fee
        "Permis non valide dans ce stationnement",
        "Stationné devant la sortie",
        "45.402100, -71.889700",
        "https://www.openstreetmap.org/?mlat=45.402100&amp;mlon=-71.889700",
        "Aucune localisation dans la photo",
    ):
        assert shown in page, shown
    assert [entry.label for entry in response.context["history"]] == ["Émis"]
    assert page.count(f"{NOTICES}{notice.pk}/photos/") == 4  # two links, two images


def test_a_photo_is_shown_in_place_never_cached(manager, organization):
    notice = notice_make(organization, at=day(1))
    photo = photo_make(notice)
    response = signed_in(manager).get(f"{NOTICES}{notice.pk}/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_cancelling_asks_a_reason_then_a_confirmation(manager, organization):
    notice = notice_make(organization, at=day(1))
    client = signed_in(manager)
    path = f"{NOTICES}{notice.pk}/annuler/"

    empty = client.post(path, {"reason": "  "})
    assert empty.status_code == 400
    assert empty.context["form"].errors["reason"] == [
        "Indiquez le motif de l'annulation de l'avis."
    ]

    asked = client.post(path, {"reason": "Permis valide présenté au comptoir"})
    assert asked.status_code == 200
    assert "Confirmer l'annulation" in asked.content.decode()
    notice.refresh_from_db()
    assert notice.state == State.ISSUED  # nothing done before the confirmation

    done = client.post(path, {"reason": "Permis valide présenté au comptoir", "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"{NOTICES}{notice.pk}/"
    notice.refresh_from_db()
    assert (notice.state, notice.state_reason) == (
        State.CANCELLED,
        "Permis valide présenté au comptoir",
    )
    event = AuditEvent.objects.get(action="enforcement.notice_cancelled")
    assert event.actor == manager and event.target_id == str(notice.pk)
    history = client.get(f"{NOTICES}{notice.pk}/").context["history"]
    assert [(e.label, e.reason) for e in history] == [
        ("Émis", ""),
        ("Annulé", "Permis valide présenté au comptoir"),
    ]


def test_a_paid_notice_offers_no_cancelling_and_refuses_it(manager, organization):
    notice = notice_make(organization, at=day(1), state=State.PAID)
    client = signed_in(manager)
    assert client.get(f"{NOTICES}{notice.pk}/").context["may_cancel"] is False
    response = client.post(f"{NOTICES}{notice.pk}/annuler/", {"reason": "Geste", "confirm": "1"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.PAID
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == ["Cet avis ne peut plus être modifié de cette façon."]


def test_a_contested_notice_is_left_to_the_service_centre(manager, organization):
    notice = notice_make(organization, at=day(1), state=State.CONTESTED)
    client = signed_in(manager)
    page = client.get(f"{NOTICES}{notice.pk}/")
    assert page.context["may_cancel"] is False and page.context["contested"] is True
    client.post(f"{NOTICES}{notice.pk}/annuler/", {"reason": "Erreur", "confirm": "1"})
    notice.refresh_from_db()
    assert notice.state == State.CONTESTED
