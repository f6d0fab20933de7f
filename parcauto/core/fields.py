"""Form fields that parse request values with `core.params` before anything else sees them.

Django's own fields let through what `core.params` is there to stop: a model choice
sends Arabic-Indic digits or a 23-digit id to the database (`ModelMultipleChoiceField`
then raises OverflowError on SQLite), a `DateField` takes 9999-12-31 and the first
computation on it overflows. Every form of the portals and the back office uses these
instead (tests/core/test_fields.py checks that no plain one is left); the admin gets them
through `backoffice.admin_params`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .dates import format_date
from .params import FIRST_DATE, LAST_DATE, parse_id


class _IdValues:
    """What the id choice fields share: a value that is no id is an invalid choice."""

    error_messages: dict[str, Any]

    def _refuse_non_ids(self, values: Iterable[Any]) -> None:
        for value in values:
            if not isinstance(value, Model) and parse_id(str(value)) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )


class IdChoiceField[M: Model](_IdValues, forms.ModelChoiceField[M]):
    """A `ModelChoiceField` over primary keys: anything but an id in ASCII digits is
    refused before the database sees it (not for a `to_field_name` other than the key)."""

    def to_python(self, value: Any) -> M | None:
        if value not in self.empty_values:
            self._refuse_non_ids([value])
        return super().to_python(value)


class IdMultipleChoiceField[M: Model](_IdValues, forms.ModelMultipleChoiceField[M]):
    """A `ModelMultipleChoiceField` over ids, checked as `IdChoiceField` checks one."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            self._refuse_non_ids(value)
        return super().clean(value)


class IdField(forms.Field):
    """One id in a hidden field or a button's value: an int, or "invalid"."""

    default_error_messages = {"invalid": _("This link is not valid.")}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        found = parse_id(str(value))
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return found


def validate_date_in_range(
    value: dt.date | None, *, first: dt.date = FIRST_DATE, last: dt.date = LAST_DATE
) -> None:
    """A date (or a date and time) between `first` and `last`, or a translated refusal.

    Also a plain validator for fields that are not ours (the admin's date and date-time
    fields): 9999-12-31 23:00 in Quebec is past the last datetime once in UTC.
    """
    day = value.date() if isinstance(value, dt.datetime) else value
    if day is not None and not first <= day <= last:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": format_date(first), "last": format_date(last)},
        )


class BoundedDateField(forms.DateField):
    """A date between `first` and `last` (2000-2100 unless a form needs a narrower range)."""

    def __init__(
        self, *, first: dt.date = FIRST_DATE, last: dt.date = LAST_DATE, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.first, self.last = first, last

    def validate(self, value: Any) -> None:
        super().validate(value)
        validate_date_in_range(value, first=self.first, last=self.last)


class MultipleFileInput(forms.FileInput):
    """A file input that sends several files (a phone's photo picker)."""

    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Up to `max_files` files in one input, each cleaned as a FileField cleans one.

    Their bytes are judged by the service that keeps them (`core.uploads`).
    """

    widget = MultipleFileInput
    default_error_messages = {"too_many": _("Attach at most %(max)s files.")}

    def __init__(self, *, max_files: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_files = max_files

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if len(files) > self.max_files:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_files}
            )
        return [super(FilesField, self).clean(file, initial) for file in files]
