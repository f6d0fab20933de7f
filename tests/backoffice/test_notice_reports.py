"""Notices as numbers: the CSV for Excel, the revenue report's paid notices, the chart of
notices per lot and week, and the plate check history."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import CheckReason, ClaimNotice, PlateCheck, Verdict
from tests.backoffice.conftest import signed_in
from tests.backoffice.notices import NOTICES, check_make, notice_make
from tests.factories import ParkingLotFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = dt.datetime(2026, 7, 15, 10, 0, tzinfo=LOCAL_TZ)  # a Wednesday
State = ClaimNotice.State
REVENUE = "/gestion/facturation/revenus/"


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def paid(organization, *, issued: dt.datetime, paid_at: dt.datetime, **fields) -> ClaimNotice:
    return notice_make(
        organization, at=issued, state=State.PAID, state_changed_at=paid_at, **fields
    )


# --- CSV ----------------------------------------------------------------------------------


def test_the_csv_lists_every_filtered_notice_for_quebec_excel(manager, organization):
    lot = ParkingLotFactory(organization=organization, number="1085", name="Fleurimont")
    agent = UserFactory(email="jean@chus.example")
    first = notice_make(
        organization,
        at=local(6, 1, 9, 5),
        lot=lot,
        agent=agent,
        amount="57.49",
        gst="2.50",
        qst="4.99",
        zone="=HYPERLINK(1)",  # typed by an agent: must not run as a formula
    )
    second = notice_make(
        organization, at=local(6, 2), lot=lot, agent=agent, plate="XYZ789", state=State.CANCELLED
    )
    ClaimNotice.objects.filter(pk=second.pk).update(state_reason="Erreur; de plaque")
    notice_make(organization, at=local(5, 31), lot=lot)  # before the range asked

    response = signed_in(manager).get(f"{NOTICES}export.csv?issued_from=2026-06-01")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="avis-de-reclamation-2026-07-15.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body[1:].split("\r\n")
    assert lines[0] == (
        "Numéro;Établissement;Stationnement;Zone;Plaque;Province;Constaté le;Motif;Agent;État;"
        "Émis le;Échéance;Avant taxes;TPS;TVQ;Total;Frais de retard;Motif du dernier changement"
    )
    assert lines[1] == (
        f"{second.number};CIUSSS de l'Estrie - CHUS;1085 - Fleurimont;;XYZ789;QC;"
        "2026-06-02 10:00;Stationné sans permis;jean@chus.example;Annulé;2026-06-02 10:00;"
        '2026-07-02;50,00;0,00;0,00;50,00;15,00;"Erreur; de plaque"'
    )
    assert lines[2].startswith(f"{first.number};CIUSSS de l'Estrie - CHUS;1085 - Fleurimont;")
    assert ";'=HYPERLINK(1);" in lines[2]
    assert lines[2].endswith(";2026-07-01;50,00;2,50;4,99;57,49;15,00;")
    assert lines[3] == "Total;2 avis;;;;;;;;;;;100,00;2,50;4,99;107,49;30,00;"
    assert lines[4] == ""


def test_the_csv_holds_no_other_institution_s_notice(manager, organization, other_organization):
    notice_make(other_organization, at=local(6, 1), plate="FOREIGN")
    body = signed_in(manager).get(f"{NOTICES}export.csv").content.decode()
    assert "FOREIGN" not in body
    assert body.endswith("Total;0 avis;;;;;;;;;;;0,00;0,00;0,00;0,00;0,00;\r\n")


# --- Revenue ------------------------------------------------------------------------------


@pytest.fixture
def summer(organization, other_organization) -> None:
    """Paid notices of June and July (one late), and what must not count."""
    taxed = {"amount": "57.49", "gst": "2.50", "qst": "4.99"}
    paid(organization, issued=local(5, 20), paid_at=local(6, 1, 0, 5), **taxed)
    # Due 30 days after issue (19 July): paid on the 20th, the late fee with it.
    paid(organization, issued=local(6, 19), paid_at=local(7, 20, 8), amount="50.00")
    paid(organization, issued=local(6, 19), paid_at=local(7, 2), amount="50.00")
    paid(other_organization, issued=local(6, 2), paid_at=local(6, 3), amount="30.00")
    # Not counted: paid the day after the range, or not paid.
    paid(organization, issued=local(7, 1), paid_at=local(8, 1, 0, 1), amount="99.00")
    notice_make(organization, at=local(6, 5), amount="77.00")
    notice_make(organization, at=local(6, 5), amount="77.00", state=State.CANCELLED)


def test_the_revenue_report_adds_paid_notices_by_month(manager, summer):
    response = signed_in(manager).get(f"{REVENUE}?first_day=2026-06-01&last_day=2026-07-31")
    found = response.context["notice_revenue"]
    assert [
        (r.month, r.notices, r.pre_tax, r.gst, r.qst, r.late_fees, r.total) for r in found.rows
    ] == [
        (dt.date(2026, 6, 1), 1, D("50.00"), D("2.50"), D("4.99"), D("0.00"), D("57.49")),
        (dt.date(2026, 7, 1), 2, D("100.00"), D("0.00"), D("0.00"), D("15.00"), D("115.00")),
    ]
    assert found.total == D("172.49")
    assert response.context["grand_total"] == D("172.49")  # no permit paid
    page = response.content.decode()
    assert "Juin 2026" in page and "Juillet 2026" in page
    assert "172,49\u00a0$" in page


def test_the_operator_sees_each_institution_s_notices(operator, summer):
    response = signed_in(operator).get(f"{REVENUE}?first_day=2026-06-01&last_day=2026-06-30")
    rows = response.context["notice_revenue"].rows
    assert [(r.organization, r.total) for r in rows] == [
        ("CISSS de l'Outaouais", D("30.00")),
        ("CIUSSS de l'Estrie - CHUS", D("57.49")),
    ]


# --- Chart per lot and week -------------------------------------------------------------------


def test_the_chart_counts_notices_per_lot_and_week(manager, organization, other_organization):
    busy = ParkingLotFactory(organization=organization, number="1085", name="Fleurimont")
    quiet = ParkingLotFactory(organization=organization, number="1086", name="Hôtel-Dieu")
    for at in (local(6, 22), local(6, 28, 23), local(7, 6), local(7, 12)):  # Mon, Sun, Mon, Sun
        notice_make(organization, at=at, lot=busy)
    notice_make(organization, at=local(7, 1), lot=quiet, state=State.CANCELLED)  # still counts
    notice_make(other_organization, at=local(7, 1))
    response = signed_in(manager).get(f"{NOTICES}par-semaine/")
    weeks = response.context["weeks"]
    # The last eight weeks by default: from Monday 25 May to today.
    assert weeks.weeks[0] == dt.date(2026, 5, 25) and weeks.weeks[-1] == dt.date(2026, 7, 13)
    assert len(weeks.weeks) == 8
    assert [(lot.lot, lot.counts) for lot in weeks.lots] == [
        ("1085 - Fleurimont", [0, 0, 0, 0, 2, 0, 2, 0]),
        ("1086 - Hôtel-Dieu", [0, 0, 0, 0, 0, 1, 0, 0]),
    ]
    assert weeks.week_totals == [0, 0, 0, 0, 2, 1, 2, 0]
    page = response.content.decode()
    svg = page[page.index("<svg role") : page.index("</svg>", page.index("<svg role"))]
    assert '<title id="weeks-chart-title">' in svg and "<script" not in svg
    heights = [int(h) for h in re.findall(r'<rect [^>]*height="(\d+)"', svg)]
    assert heights == [240, 120, 240]  # two, one and two notices on a scale of 2
    assert "Semaine du 22 juin 2026; 1085 - Fleurimont\u00a0: 2" in svg
    assert '<th scope="row" class="fw-normal">1085 - Fleurimont' in page


def test_the_chart_gathers_lots_beyond_its_colours(manager, organization):
    for index in range(8):
        lot = ParkingLotFactory(organization=organization, number=str(2000 + index))
        notice_make(organization, at=local(7, 13), lot=lot)
    response = signed_in(manager).get(f"{NOTICES}par-semaine/")
    legend = [entry.label for entry in response.context["chart"].legend]
    assert len(legend) == 7 and legend[-1] == "Autres stationnements"
    assert len(response.context["weeks"].lots) == 8  # the table names every lot


def test_the_chart_refuses_more_than_a_year(manager):
    response = signed_in(manager).get(
        f"{NOTICES}par-semaine/?first_day=2025-01-01&last_day=2026-07-15"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_day"] == ["Choisissez au plus 53 semaines."]
    assert "weeks" not in response.context


# --- Plate check history ---------------------------------------------------------------------


def test_the_check_history_shows_one_day_with_the_notice_issued(manager, organization):
    lot = ParkingLotFactory(organization=organization, number="1085")
    other_lot = ParkingLotFactory(organization=organization, number="1086")
    noticed = check_make(organization, lot=lot, at=local(7, 15, 9), plate="ABC123")
    notice = notice_make(organization, at=local(7, 15, 9, 2), lot=lot, plate_check=noticed)
    valid = check_make(
        organization,
        lot=other_lot,
        at=local(7, 15, 8),
        plate="VAL123",
        verdict=Verdict.VALID,
        reason=CheckReason.VALID_PERMIT,
        source=PlateCheck.Source.DEVICE,
        confidence=D("0.930"),
    )
    check_make(organization, lot=lot, at=local(7, 14, 23, 59))  # yesterday
    client = signed_in(manager)

    response = client.get(f"{NOTICES}verifications/")
    assert [c.pk for c in response.context["page"]] == [noticed.pk, valid.pk]
    page = response.content.decode()
    assert f'href="{NOTICES}{notice.pk}/">{notice.number}</a>' in page
    assert "lue avec une confiance de 93\u00a0%" in page

    def found(query: str) -> list[int]:
        return [c.pk for c in client.get(f"{NOTICES}verifications/?{query}").context["page"]]

    assert found(f"lot={other_lot.pk}") == [valid.pk]
    assert found("verdict=not_valid") == [noticed.pk]
    assert found("plate=val 123") == [valid.pk]
    assert len(found("day=2026-07-14")) == 1
