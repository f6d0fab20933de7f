"""Notice numbers, amounts and the state machine every notice change goes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcauto.audit.models import AuditEvent
from parcauto.core.checkdigits import luhn_valid
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.errors import NoTariff, NoticeStateRefused
from parcauto.enforcement.models import ClaimNotice, NoticeReason, NoticeTariff
from parcauto.enforcement.services.numbers import notice_number_clean, notice_number_next
from parcauto.enforcement.services.pricing import notice_amount_due, notice_split, tariff_for
from parcauto.enforcement.services.transitions import notice_transition
from tests.factories import ParkingLotFactory, UserFactory

pytestmark = pytest.mark.django_db
SEEN = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LOCAL_TZ)


def _notice(organization, **fields) -> ClaimNotice:
    values = {
        "number": notice_number_next(),
        "lot": ParkingLotFactory(organization=organization),
        "plate": "ABC123",
        "jurisdiction": "QC",
        "observed_at": SEEN,
        "reason": NoticeReason.NO_PERMIT,
        "agent": UserFactory(),
        "pre_tax": Decimal("50.00"),
        "gst": Decimal("0.00"),
        "qst": Decimal("0.00"),
        "total": Decimal("50.00"),
        "late_fee": Decimal("15.00"),
        "due_date": dt.date(2026, 7, 10),
        "issued_at": SEEN,
        "state_changed_at": SEEN,
    }
    return ClaimNotice.objects.create(organization=organization, **(values | fields))


def test_numbers_follow_each_other_and_carry_their_check_digit() -> None:
    first, second = notice_number_next(), notice_number_next()
    assert luhn_valid(first) and luhn_valid(second)
    assert int(second[:-1]) == int(first[:-1]) + 1
    assert notice_number_clean(f" {first[:4]}-{first[4:]} ") == first
    mistyped = first[:-1] + str((int(first[-1]) + 1) % 10)
    assert notice_number_clean(mistyped) is None
    assert notice_number_clean("12ab") is None


def test_a_taxable_tariff_splits_its_amount_and_a_late_notice_owes_its_fee(organization) -> None:
    tariff = NoticeTariff.objects.create(
        organization=organization,
        reason=NoticeReason.NO_PERMIT,
        amount=Decimal("57.49"),
        taxable=True,
        late_fee=Decimal("15.00"),
    )
    split = notice_split(tariff=tariff, day=SEEN.date())
    assert split.pre_tax + split.gst + split.qst == Decimal("57.49")
    assert split.gst == Decimal("2.50") and split.qst == Decimal("4.99")
    notice = _notice(organization)
    assert notice_amount_due(notice=notice, today=notice.due_date) == Decimal("50.00")
    late = notice.due_date + dt.timedelta(days=1)
    assert notice_amount_due(notice=notice, today=late) == Decimal("65.00")


def test_an_inactive_or_missing_tariff_is_no_tariff(organization) -> None:
    NoticeTariff.objects.create(
        organization=organization,
        reason=NoticeReason.EXPIRED,
        amount=Decimal("30.00"),
        is_active=False,
    )
    for reason in (NoticeReason.EXPIRED, NoticeReason.WRONG_LOT):
        with pytest.raises(NoTariff):
            tariff_for(organization=organization, reason=reason)


def test_a_contested_notice_cannot_be_paid_and_a_paid_one_never_changes(organization) -> None:
    notice = _notice(organization)
    notice = notice_transition(notice=notice, to=ClaimNotice.State.CONTESTED, actor=None)
    with pytest.raises(NoticeStateRefused):
        notice_transition(notice=notice, to=ClaimNotice.State.PAID, actor=None)
    notice = notice_transition(
        notice=notice, to=ClaimNotice.State.ISSUED, actor=None, reason="Photo shows no permit"
    )
    notice = notice_transition(notice=notice, to=ClaimNotice.State.PAID, actor=None)
    for state in ClaimNotice.State.values:
        with pytest.raises(NoticeStateRefused):
            notice_transition(notice=notice, to=state, actor=None)
    notice.refresh_from_db()
    assert notice.state == ClaimNotice.State.PAID
    actions = list(
        AuditEvent.objects.filter(target_id=str(notice.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "enforcement.notice_contested",
        "enforcement.notice_issued",
        "enforcement.notice_paid",
    ]
