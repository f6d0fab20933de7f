"""What a notice claims: the tariff of its reason split into taxes, and the late fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parcauto.billing.taxes import tax_split_on
from parcauto.core.money import TaxSplit
from parcauto.tenants.models import Organization

from ..errors import NoTariff
from ..models import ClaimNotice, NoticeTariff


def tariff_for(*, organization: Organization, reason: str) -> NoticeTariff:
    """The institution's active tariff for `reason`, or NoTariff."""
    tariff = NoticeTariff.objects.filter(
        organization=organization, reason=reason, is_active=True
    ).first()
    if tariff is None:
        raise NoTariff()
    return tariff


def notice_split(*, tariff: NoticeTariff, day: dt.date) -> TaxSplit:
    """The tariff's amount on the day of the infraction: tax included when taxable."""
    return tax_split_on(amount=tariff.amount, day=day, taxable=tariff.taxable)


def notice_late(*, notice: ClaimNotice, today: dt.date) -> bool:
    """Whether the due date has passed (the late fee is then owed)."""
    return today > notice.due_date


def notice_amount_due(*, notice: ClaimNotice, today: dt.date) -> Decimal:
    """What paying the notice costs today: its total, plus the late fee once it is late.

    The late fee is a penalty, not a supply: it carries no tax.
    """
    late_fee = notice.late_fee if notice_late(notice=notice, today=today) else Decimal("0.00")
    return notice.total + late_fee
