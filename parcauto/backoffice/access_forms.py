"""Forms of the access pages: registering a device, and the gate simulator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.access.devices import LANE_MAX_LENGTH
from parcauto.access.models import AccessEvent, Device
from parcauto.catalog.models import ParkingLot
from parcauto.core.fields import IdChoiceField
from parcauto.core.uploads import UploadRefused, megabytes, upload_check
from parcauto.vehicles.models import JURISDICTION_CHOICES

SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024
_IMAGES = ("image/png", "image/jpeg")


class LotChoiceField(IdChoiceField[ParkingLot]):
    """A lot, named with its institution when the staff member sees several."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_institution = False

    def label_from_instance(self, obj: ParkingLot) -> str:
        if self.with_institution:
            return f"{obj.organization.name} · {obj}"
        return str(obj)


def lots_offered(field: forms.Field, lots: QuerySet[ParkingLot]) -> None:
    field.queryset = lots.select_related("organization").order_by(  # type: ignore[attr-defined]
        "organization__name_fr", "number"
    )
    field.with_institution = (  # type: ignore[attr-defined]
        len({lot.organization_id for lot in field.queryset}) > 1  # type: ignore[attr-defined]
    )


class DeviceForm(forms.Form):
    lot = LotChoiceField(queryset=ParkingLot.objects.none(), label=_("Parking lot"))
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Unique in the institution, e.g. “Lot 1085 entrance barrier”."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Device.Kind.choices)
    lanes = forms.CharField(
        label=_("Lanes"),
        max_length=200,
        required=False,
        help_text=_("Names of the lanes this device serves, separated by commas."),
    )

    def __init__(self, *args: Any, lots: QuerySet[ParkingLot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lots_offered(self.fields["lot"], lots)


class SimulatorForm(forms.Form):
    """A lot and lane, and what a driver shows: a token, a picture of the QR code, a plate."""

    lot = LotChoiceField(queryset=ParkingLot.objects.none(), label=_("Parking lot"))
    lane = forms.CharField(label=_("Lane"), max_length=LANE_MAX_LENGTH, required=False)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=AccessEvent.Direction.choices,
        initial=AccessEvent.Direction.ENTRY,
    )
    token = forms.CharField(
        label=_("Pass code"),
        max_length=200,
        required=False,
        help_text=_("The text of the pass's QR code, pasted."),
    )
    screenshot = forms.FileField(
        label=_("Or a picture of the QR code"),
        required=False,
        help_text=_("A screenshot or photo of the pass (PNG or JPEG)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    plate = forms.CharField(label=_("Or a licence plate"), max_length=20, required=False)
    province = forms.ChoiceField(
        label=_("Province or state"), choices=JURISDICTION_CHOICES, initial="QC", required=False
    )

    def __init__(self, *args: Any, lots: QuerySet[ParkingLot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lots_offered(self.fields["lot"], lots)

    def clean_screenshot(self) -> bytes | None:
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        try:
            info = upload_check(upload, max_bytes=SCREENSHOT_MAX_BYTES)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused.message), code=refused.code) from None
        if info.content_type not in _IMAGES:
            raise forms.ValidationError(
                _("Send a PNG or JPEG picture of at most %(max)s.")
                % {"max": megabytes(SCREENSHOT_MAX_BYTES)},
                code="file_type",
            )
        return upload.read()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        shown = [name for name in ("token", "screenshot", "plate") if cleaned.get(name)]
        if len(shown) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Show one thing: a pass code, a picture of the QR code, or a plate."),
                code="credential",
            )
        if cleaned.get("plate") and not cleaned.get("province"):
            self.add_error("province", _("Choose the plate's province or state."))
        return cleaned
