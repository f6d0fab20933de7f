from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import Gender, Language, Province
from parcauto.accounts.normalizers import normalize_phone, normalize_postal_code
from parcauto.accounts.profile_services import ProfileData
from parcauto.core.params import ascii_digits

REQUIRED = {"required": _("Required field")}
PHONE_FIELDS = ("mobile_phone", "home_phone", "work_phone")


class ProfileForm(forms.Form):
    """ "Informations personnelles": every field of the guides, errors per field."""

    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", "—"), *Gender.choices],
        error_messages=REQUIRED,
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, error_messages=REQUIRED)
    last_name = forms.CharField(label=_("Last name"), max_length=100, error_messages=REQUIRED)
    address_line1 = forms.CharField(
        label=_("Address line 1"), max_length=200, error_messages=REQUIRED
    )
    apartment = forms.CharField(label=_("Apt."), max_length=20, required=False)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, error_messages=REQUIRED)
    province = forms.ChoiceField(
        label=_("Province"), choices=Province.choices, initial="QC", error_messages=REQUIRED
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, error_messages=REQUIRED)
    mobile_phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, error_messages=REQUIRED
    )
    home_phone = forms.CharField(label=_("Home phone"), max_length=30, required=False)
    home_phone_ext = forms.CharField(label=_("Ext."), max_length=10, required=False)
    work_phone = forms.CharField(label=_("Work phone"), max_length=30, required=False)
    work_phone_ext = forms.CharField(label=_("Ext."), max_length=10, required=False)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language_field = cast(forms.ChoiceField, self.fields["language"])
        language_field.choices = [c for c in Language.choices if c[0] in languages]
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "city": "address-level2",
            "province": "address-level1",
            "postal_code": "postal-code",
            "mobile_phone": "tel",
            "home_phone": "tel",
            "work_phone": "tel",
        }
        for name, token in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        for name in PHONE_FIELDS:
            self.fields[name].widget.input_type = "tel"
        # Both labels read "Ext." as in the guides; screen readers need to tell them apart.
        for name, label in (
            ("home_phone_ext", _("Home phone extension")),
            ("work_phone_ext", _("Work phone extension")),
        ):
            self.fields[name].widget.attrs |= {"inputmode": "numeric", "aria-label": label}

    def clean_postal_code(self) -> str:
        return normalize_postal_code(self.cleaned_data["postal_code"])

    def _clean_phone(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        return normalize_phone(value) if value else ""

    def clean_mobile_phone(self) -> str:
        return self._clean_phone("mobile_phone")

    def clean_home_phone(self) -> str:
        return self._clean_phone("home_phone")

    def clean_work_phone(self) -> str:
        return self._clean_phone("work_phone")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        phones_typed = any(self.data.get(name, "").strip() for name in PHONE_FIELDS)
        if not phones_typed:
            for name in PHONE_FIELDS:
                self.add_error(name, _("Required field"))
        for ext, phone in (("home_phone_ext", "home_phone"), ("work_phone_ext", "work_phone")):
            extension = cleaned.get(ext, "").strip()
            if extension and not ascii_digits(extension):
                self.add_error(ext, _("Digits only."))
            elif extension and not cleaned.get(phone):
                self.add_error(ext, _("Enter the phone number this extension belongs to."))
        return cleaned

    def to_data(self) -> ProfileData:
        values = {k: v.strip() if isinstance(v, str) else v for k, v in self.cleaned_data.items()}
        values.pop("language")
        return ProfileData(**values)
