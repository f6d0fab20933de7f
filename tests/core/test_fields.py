"""The form fields over `core.params`, and the guard that every form of ours uses them."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms

import parcauto
from parcauto.core.fields import BoundedDateField, IdChoiceField, IdField, IdMultipleChoiceField
from parcauto.tenants.models import Organization
from tests.factories import OrganizationFactory

HOSTILE_IDS = [
    "²",
    "\u0663",
    "\uff14\uff12",
    "1" * 23,
    "9223372036854775808",
    "-1",
    "0",
    "a\x00b",
    "1.0",
]


class _Choose(forms.Form):
    one = IdChoiceField(queryset=Organization.objects.all(), required=False)
    several = IdMultipleChoiceField(queryset=Organization.objects.all(), required=False)
    hidden = IdField(required=False)
    day = BoundedDateField(required=False)
    june = BoundedDateField(required=False, first=dt.date(2026, 6, 1), last=dt.date(2026, 6, 30))


@pytest.mark.django_db
def test_the_id_fields_take_ids():
    organization = OrganizationFactory()
    form = _Choose({"one": str(organization.pk), "several": [str(organization.pk)], "hidden": "12"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == organization
    assert list(form.cleaned_data["several"]) == [organization]
    assert form.cleaned_data["hidden"] == 12


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_the_id_fields_refuse_anything_else_before_the_database(value):
    organization = OrganizationFactory()
    form = _Choose({"one": value, "several": [str(organization.pk), value], "hidden": value})
    assert not form.is_valid()
    assert form.errors.as_data()["one"][0].code == "invalid_choice"
    assert form.errors.as_data()["several"][0].code == "invalid_choice"
    assert form.errors.as_data()["hidden"][0].code == "invalid"


@pytest.mark.django_db
def test_a_model_instance_as_initial_value_still_works():
    organization = OrganizationFactory()
    field = IdChoiceField(queryset=Organization.objects.all())
    assert field.clean(organization) == organization


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-06-01", True),
        ("2000-01-01", True),
        ("2100-12-31", True),
        ("1999-12-31", False),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("2026-02-30", False),
        ("99999-01-01", False),
        ("x" * 10_000, False),
        ("2026\x00-06-01", False),
    ],
)
def test_a_date_lies_between_2000_and_2100(value, valid):
    assert _Choose({"day": value}).is_valid() is valid


def test_a_date_out_of_range_says_which_range_in_french(settings):
    form = _Choose({"day": "9999-12-31", "june": "2026-07-01"})
    assert not form.is_valid()
    assert form.errors["day"] == [
        "Entrez une date entre le 1er janvier 2000 et le 31 décembre 2100."
    ]
    assert form.errors["june"] == ["Entrez une date entre le 1er juin 2026 et le 30 juin 2026."]


# --- the guard: every form of ours parses with these --------------------------------------

# Django fields whose parsing lets through what core.params stops (see core/fields.py).
UNSAFE = {
    forms.ModelChoiceField: "IdChoiceField",
    forms.ModelMultipleChoiceField: "IdMultipleChoiceField",
    forms.DateField: "BoundedDateField",
    forms.IntegerField: "IdField, or an IntegerField with min_value and max_value",
}


def _our_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(parcauto.__path__, "parcauto."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "admin"} or "_forms" in module.name:
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("parcauto."):
            found.append(cls)
    return found


def _own_fields(cls: type[forms.BaseForm]) -> dict[str, forms.Field]:
    """The fields this class declares itself (allauth's are allauth's business)."""
    inherited = {
        id(field)
        for base in cls.__mro__[1:]
        for field in getattr(base, "declared_fields", {}).values()
    }
    declared = getattr(cls, "declared_fields", {})
    return {name: field for name, field in declared.items() if id(field) not in inherited}


def test_the_guard_finds_our_forms():
    names = {cls.__name__ for cls in _our_forms()}
    assert {"ChooseForm", "VehicleChoiceForm", "QueueFilterForm", "RevenueFilterForm"} <= names


def test_every_form_of_ours_parses_ids_dates_and_numbers_with_core_fields():
    unsafe = []
    for cls in _our_forms():
        for name, field in _own_fields(cls).items():
            kind = type(field)
            if kind in UNSAFE and not (
                kind is forms.IntegerField
                and field.min_value is not None  # type: ignore[attr-defined]
                and field.max_value is not None  # type: ignore[attr-defined]
            ):
                unsafe.append(f"{cls.__module__}.{cls.__name__}.{name}: use {UNSAFE[kind]}")
    assert unsafe == []


def test_every_text_field_of_ours_has_a_maximum_length():
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _our_forms()
        for name, field in _own_fields(cls).items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert unbounded == []
