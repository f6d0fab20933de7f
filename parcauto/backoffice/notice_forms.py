"""Forms of the issuing pages: a notice from a plate check, or typed from scratch.

Phone-first: few fields, the plate and lot already known from the check, the camera
offered for the photos (`capture`), the reason chosen from the check's verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import LOCAL_TZ
from parcauto.core.fields import BoundedDateField, FilesField, MultipleFileInput
from parcauto.enforcement.models import CheckReason, NoticePhoto, NoticeReason
from parcauto.vehicles.models import JURISDICTION_CHOICES

from .access_forms import LotChoiceField, lots_offered
from .patrol_forms import PATROL_LOT_ERRORS

ACCEPTED_PHOTOS = "image/jpeg,image/png"
# The check's verdict -> the reason a notice most likely has; the agent may change it.
REASON_OF_CHECK: dict[str, str] = {
    CheckReason.NO_PERMIT: NoticeReason.NO_PERMIT,
    CheckReason.WRONG_LOT: NoticeReason.WRONG_LOT,
    CheckReason.VEHICLE_PENDING: NoticeReason.NO_PERMIT,
    CheckReason.EXPIRED: NoticeReason.EXPIRED,
    CheckReason.CANCELLED: NoticeReason.NO_PERMIT,
    CheckReason.NOT_YET_VALID: NoticeReason.NO_PERMIT,
    CheckReason.SUSPENDED: NoticeReason.SUSPENDED,
}


class _NoticeFields(forms.Form):
    """What every notice asks of the agent beyond the plate and the place."""

    field_by_code = {"photo_refused": "photos", "no_tariff": "reason"}

    reason = forms.ChoiceField(label=_("Reason"), choices=NoticeReason.choices)
    zone = forms.CharField(label=_("Spot or zone (optional)"), max_length=50, required=False)
    vehicle_make = forms.CharField(label=_("Make (optional)"), max_length=50, required=False)
    vehicle_colour = forms.CharField(label=_("Colour (optional)"), max_length=30, required=False)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": "2", "maxlength": "500"}),
    )
    photos = FilesField(
        max_files=NoticePhoto.MAX_PER_NOTICE,
        label=_("Photos (optional, up to 4)"),
        required=False,
        allow_empty_file=True,  # the service says why an empty file is refused
        help_text=_("The plate, the windshield and the spot: .jpg or .png."),
        widget=MultipleFileInput(
            attrs={"accept": ACCEPTED_PHOTOS, "multiple": True, "capture": "environment"}
        ),
    )

    # The service's name of a value -> the field that typed it here.
    field_aliases: dict[str, str] = {}

    def add_domain_error(self, code: str, message: str, field: str | None = None) -> None:
        target = self.field_aliases.get(field or "", field) or self.field_by_code.get(code)
        self.add_error(target if target in self.fields else None, message)


class NoticeFromCheckForm(_NoticeFields):
    """The notice of a checked plate: the check gives the plate, the lot and the time."""

    def __init__(self, *args: Any, check_reason: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = REASON_OF_CHECK.get(check_reason, NoticeReason.NO_PERMIT)


class NoticeNewForm(_NoticeFields):
    """A notice typed in full (back office, or a plate not checked on the phone)."""

    lot = LotChoiceField(
        queryset=ParkingLot.objects.none(),
        label=_("Parking lot"),
        error_messages=PATROL_LOT_ERRORS,
    )
    plate = forms.CharField(label=_("Licence plate"), max_length=20)
    jurisdiction = forms.ChoiceField(
        label=_("Province or state"), choices=JURISDICTION_CHOICES, initial="QC"
    )
    observed_on = BoundedDateField(
        label=_("Date of the infraction"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    observed_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    field_aliases = {"observed_at": "observed_on"}
    field_order = ["lot", "plate", "jurisdiction", "observed_on", "observed_time", "reason"]

    def __init__(
        self, *args: Any, lots: QuerySet[ParkingLot], now: dt.datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        lots_offered(self.fields["lot"], lots)
        local = now.astimezone(LOCAL_TZ)
        self.fields["observed_on"].initial = local.date()
        self.fields["observed_time"].initial = local.time().replace(second=0, microsecond=0)

    def observed_at(self) -> dt.datetime:
        """The date and time typed, in Quebec (call it once the form is valid)."""
        day: dt.date = self.cleaned_data["observed_on"]
        time: dt.time = self.cleaned_data["observed_time"]
        return dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=LOCAL_TZ)
