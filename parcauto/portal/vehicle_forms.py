"""The vehicle form of "Mes véhicules", reusable by the subscription wizard (step 2).

Render it with `{% include "portal/vehicles/_form_fields.html" with form=... %}` inside
your own <form>; a prefix is fine (the make -> models suggestions follow it). Map the
service's refusals back to the fields with `form.add_domain_error(error)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcauto.core.clock import local_today
from parcauto.vehicles.errors import VehicleError
from parcauto.vehicles.models import FIRST_MODEL_YEAR, JURISDICTION_CHOICES, Vehicle
from parcauto.vehicles.normalizers import normalize_plate
from parcauto.vehicles.selectors import vehicle_make_names, vehicle_model_names
from parcauto.vehicles.services import VehicleData

from .forms import REQUIRED

COLOUR_SUGGESTIONS = [
    _("White"),
    _("Black"),
    _("Grey"),
    _("Silver"),
    _("Blue"),
    _("Red"),
    _("Green"),
    _("Brown"),
    _("Beige"),
    _("Yellow"),
    _("Orange"),
    _("Gold"),
    _("Burgundy"),
    _("Purple"),
]


class VehicleForm(forms.Form):
    """Année, Marque, Modèle, Couleur, Numéro d'immatriculation, Province/État."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, error_messages=REQUIRED)
    make = forms.CharField(
        label=_("Make"),
        max_length=50,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"placeholder": _("Select or type a make")}),
    )
    model = forms.CharField(
        label=_("Model"),
        max_length=50,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"placeholder": _("Select or type a model")}),
    )
    colour = forms.CharField(label=_("Colour"), max_length=30, error_messages=REQUIRED)
    plate = forms.CharField(
        label=_("Licence plate number"),
        max_length=20,
        error_messages=REQUIRED,
        help_text=_(
            "Letters and digits as on the plate. If you copy it from a registration "
            "certificate, do not type the dash and the last digit."
        ),
    )
    jurisdiction = forms.ChoiceField(
        label=_("Province or state"),
        choices=JURISDICTION_CHOICES,
        initial="QC",
        error_messages=REQUIRED,
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last_year = (today or local_today()).year + 1
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = [
            ("", "—"),
            *((year, str(year)) for year in range(last_year, FIRST_MODEL_YEAR - 1, -1)),
        ]
        year_field.error_messages["invalid_choice"] = _(
            "Enter a year from %(first)d to %(last)d."
        ) % {"first": FIRST_MODEL_YEAR, "last": last_year}
        self.make_list_id = f"{self['make'].auto_id}_suggestions"
        self.model_list_id = f"{self['model'].auto_id}_suggestions"
        self.colour_list_id = f"{self['colour'].auto_id}_suggestions"
        for name, list_id in (
            ("make", self.make_list_id),
            ("model", self.model_list_id),
            ("colour", self.colour_list_id),
        ):
            self.fields[name].widget.attrs |= {"list": list_id, "autocomplete": "off"}
        # Choosing a make refreshes the model suggestions (htmx, no inline script).
        self.fields["make"].widget.attrs |= {
            "hx-get": reverse("portal:vehicle_models"),
            "hx-trigger": "change, input changed delay:300ms",
            "hx-target": f"#{self.model_list_id}",
            "hx-swap": "innerHTML",
        }
        self.fields["plate"].widget.attrs |= {
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
        }

    # --- suggestions the template lists ---------------------------------------------------
    @property
    def make_suggestions(self) -> list[str]:
        return vehicle_make_names()

    @property
    def model_suggestions(self) -> list[str]:
        make = self["make"].value() or ""
        return vehicle_model_names(make=str(make))

    @property
    def colour_suggestions(self) -> list[str]:
        return [str(colour) for colour in COLOUR_SUGGESTIONS]

    # --- cleaning ---------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The plate depends on the jurisdiction (Quebec certificates carry a check digit).
        if "plate" in cleaned:
            try:
                cleaned["plate"] = normalize_plate(
                    cleaned["plate"], jurisdiction=cleaned.get("jurisdiction")
                )
            except forms.ValidationError as error:
                self.add_error("plate", error)
        return cleaned

    def to_data(self) -> VehicleData:
        values = self.cleaned_data
        return VehicleData(
            plate=values["plate"],
            jurisdiction=values["jurisdiction"],
            make=values["make"].strip(),
            model=values["model"].strip(),
            year=values["year"],
            colour=values["colour"].strip(),
        )

    def add_domain_error(self, error: VehicleError) -> None:
        """A service refusal, next to the field it is about (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(error.message, code=error.code))

    @classmethod
    def initial_for(cls, vehicle: Vehicle) -> dict[str, Any]:
        return {name: getattr(vehicle, name) for name in cls.base_fields}
