"""Issuing a claim notice: from a plate check on patrol, or typed in the back office.

The amounts are the tariff of the reason on the day of the infraction, fixed in the row
(split with the tax table as permits are); the due date, the late fee and the day it goes
to collection are copied from the tariff too, so a later tariff change never alters a
notice already left on a car. The number is taken inside the transaction that writes
the notice (`notice_number_next`), so a refused notice burns no number.

The account whose vehicle bears the plate on this portal (a person with a contract or a
request here) sees the notice in "Mes avis" and gets it by e-mail, after commit. When two
accounts registered the same plate, only the one the check matched (its contract) gets
it: a notice is not sent to a stranger who once typed the same plate.

A check issues one notice (a double tap returns the first); otherwise a plate gets at
most one notice per institution and Quebec day (the "already noticed today" rule). The
agent issues notices only in the lots they patrol (`StaffAccess.may_patrol_lot`: a
patrol role may name some lots of its institution).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.accounts.roles import staff_access
from parcauto.audit.services import audit_log
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.tasks import enqueue_with_transaction
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from parcauto.vehicles.models import JURISDICTION_CODES, Vehicle
from parcauto.vehicles.normalizers import normalize_plate

from ..emails import send_notice_email
from ..errors import AlreadyNoticedToday, NoticeRefused
from ..models import ClaimNotice, PlateCheck
from .numbers import notice_number_next
from .photos import photo_save, photos_prepare
from .pricing import notice_split, tariff_for

# A phone's clock and the server's differ a little; a notice seen later than this ahead
# of now is a typing error.
CLOCK_TOLERANCE = dt.timedelta(minutes=10)
# An infraction typed in afterwards (back office, from a paper note): at most this old.
OBSERVED_MAX_AGE = dt.timedelta(days=30)


@dataclass(frozen=True, kw_only=True)
class NoticeDraft:
    """What the agent says about the car and the infraction."""

    lot: ParkingLot
    plate: str
    jurisdiction: str
    reason: str
    observed_at: dt.datetime
    zone: str = ""
    vehicle_make: str = ""
    vehicle_colour: str = ""
    comment: str = ""


def notice_recipient(
    *,
    organization: Organization,
    plate: str,
    jurisdiction: str,
    plate_check: PlateCheck | None = None,
) -> User | None:
    """The account on this portal whose vehicle bears the plate, if exactly one is known."""
    owners = set(
        Vehicle.objects.filter(
            plate=plate, jurisdiction=jurisdiction, removed_at__isnull=True
        ).values_list("owner_id", flat=True)
    )
    if not owners:
        return None
    on_portal = set(
        Subscription.objects.filter(organization=organization, person_id__in=owners)
        .exclude(status=Subscription.Status.DRAFT)
        .values_list("person_id", flat=True)
    )
    checked = plate_check.subscription if plate_check and plate_check.subscription_id else None
    if checked is not None and checked.person_id in on_portal:
        chosen = checked.person_id
    elif len(on_portal) == 1:
        chosen = next(iter(on_portal))
    else:
        return None
    return User.objects.filter(pk=chosen, is_active=True).first()


def _clean(organization: Organization, draft: NoticeDraft, now: dt.datetime) -> NoticeDraft:
    if draft.lot.organization_id != organization.pk:
        raise NoticeRefused(_("Choose a parking lot of this institution."), field="lot")
    if draft.jurisdiction not in JURISDICTION_CODES:
        raise NoticeRefused(_("Choose the plate's province or state."), field="jurisdiction")
    try:
        plate = normalize_plate(draft.plate, jurisdiction=draft.jurisdiction)
    except ValidationError as invalid:
        raise NoticeRefused(invalid.messages[0], field="plate") from None
    if draft.observed_at > now + CLOCK_TOLERANCE:
        raise NoticeRefused(_("The infraction cannot be later than now."), field="observed_at")
    if draft.observed_at < now - OBSERVED_MAX_AGE:
        raise NoticeRefused(
            _("The infraction is more than 30 days old: it can no longer be noticed."),
            field="observed_at",
        )
    return NoticeDraft(
        lot=draft.lot,
        plate=plate,
        jurisdiction=draft.jurisdiction,
        reason=draft.reason,
        observed_at=draft.observed_at,
        zone=draft.zone.strip(),
        vehicle_make=draft.vehicle_make.strip(),
        vehicle_colour=draft.vehicle_colour.strip(),
        comment=draft.comment.strip(),
    )


def _noticed_today(organization: Organization, draft: NoticeDraft) -> bool:
    day = draft.observed_at.astimezone(LOCAL_TZ).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
    return (
        ClaimNotice.objects.filter(
            organization=organization,
            plate=draft.plate,
            jurisdiction=draft.jurisdiction,
            observed_at__gte=start,
            observed_at__lt=start + dt.timedelta(days=1),
        )
        .exclude(state=ClaimNotice.State.CANCELLED)
        .exists()
    )


def notice_issue(
    *,
    organization: Organization,
    draft: NoticeDraft,
    agent: User,
    now: dt.datetime,
    plate_check: PlateCheck | None = None,
    photos: Sequence[UploadedFile] = (),
) -> ClaimNotice:
    """Issue the notice (audited), its photos stored, the account told after commit.

    Raises NoticeRefused, NoTariff, PhotoRefused or AlreadyNoticedToday, writing nothing.
    From a check that already issued a notice, returns that notice unchanged.
    """
    if plate_check is not None:
        if plate_check.organization_id != organization.pk:
            raise NoticeRefused(_("This check belongs to another institution."))
        existing = ClaimNotice.objects.filter(plate_check=plate_check).first()
        if existing is not None:
            return existing
    if not staff_access(agent).may_patrol_lot(draft.lot):
        raise NoticeRefused(_("Choose one of the parking lots you patrol."), field="lot")
    draft = _clean(organization, draft, now)
    tariff = tariff_for(organization=organization, reason=draft.reason)
    prepared = photos_prepare(photos)  # outside the transaction: Pillow's work holds no lock
    split = notice_split(tariff=tariff, day=draft.observed_at.astimezone(LOCAL_TZ).date())
    due_date = now.astimezone(LOCAL_TZ).date() + dt.timedelta(days=tariff.due_days)
    person = notice_recipient(
        organization=organization,
        plate=draft.plate,
        jurisdiction=draft.jurisdiction,
        plate_check=plate_check,
    )
    with transaction.atomic():
        # The institution's row locked: two agents (or a double tap on the typed form)
        # issuing for one plate at once would both find none issued yet. Notices are a
        # few an hour per institution; SQLite serializes its writers at BEGIN anyway.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        if _noticed_today(organization, draft):
            raise AlreadyNoticedToday()
        notice = ClaimNotice.objects.create(
            organization=organization,
            number=notice_number_next(),
            lot=draft.lot,
            zone=draft.zone,
            plate=draft.plate,
            jurisdiction=draft.jurisdiction,
            vehicle_make=draft.vehicle_make,
            vehicle_colour=draft.vehicle_colour,
            observed_at=draft.observed_at,
            reason=draft.reason,
            plate_check=plate_check,
            agent=agent,
            person=person,
            comment=draft.comment,
            pre_tax=split.pre_tax,
            gst=split.gst,
            qst=split.qst,
            total=split.pre_tax + split.gst + split.qst,
            late_fee=tariff.late_fee,
            due_date=due_date,
            collection_date=due_date + dt.timedelta(days=tariff.collection_days),
            issued_at=now,
            state_changed_at=now,
        )
        for photo in prepared:
            photo_save(notice=notice, prepared=photo)
        audit_log(
            action="enforcement.notice_created",
            actor=agent,
            organization=organization,
            target=notice,
            data={
                "number": notice.number,
                "reason": notice.reason,
                "lot": draft.lot.pk,
                "check": plate_check.pk if plate_check else None,
                "total": str(notice.total),
                "photos": len(prepared),
                "account_told": person is not None,
            },
        )
        if person is not None:
            enqueue_with_transaction(
                send_notice_email, organization_id=organization.pk, notice_id=notice.pk
            )
    return notice
