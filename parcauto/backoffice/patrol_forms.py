"""The patrol page's form: the lot the agent is in, and the plate they read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import ParkingLot
from parcauto.vehicles.models import JURISDICTION_CHOICES

from .access_forms import LotChoiceField, lots_offered

# A posted lot the list does not offer: another institution's, or outside the lots a
# patrol agent's role names.
PATROL_LOT_ERRORS = {"invalid_choice": _("Choose one of the parking lots you patrol.")}


class PatrolCheckForm(forms.Form):
    lot = LotChoiceField(
        queryset=ParkingLot.objects.none(),
        label=_("Parking lot"),
        error_messages=PATROL_LOT_ERRORS,
    )
    plate = forms.CharField(
        label=_("Licence plate"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg patrol-plate",
            }
        ),
    )
    province = forms.ChoiceField(
        label=_("Province or state"), choices=JURISDICTION_CHOICES, initial="QC"
    )

    def __init__(self, *args: Any, lots: QuerySet[ParkingLot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lots_offered(self.fields["lot"], lots.filter(is_active=True))
