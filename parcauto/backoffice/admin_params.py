"""What Django's admin hands to the database as it comes, parsed first with core.params.

Found by sending hostile values to every admin page: a `_selected_action` of "²" or of
23 digits, a list filter `?organization=<23 digits>`, 23 digits in a many-to-many
choice, and any value that is no id in an autocomplete field (its widget looks the bound
value up while the page is drawn again) each answered 500. Dates are bounded too: a
fixed term ending in year 9999 would make every contract of the product overflow its
collection calendar. Every ModelAdmin of the site derives from this mixin (through
`RoleAwareAdmin` or `ForeignAdminWrapper`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite, helpers
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from parcauto.core.fields import IdMultipleChoiceField, validate_date_in_range
from parcauto.core.params import beyond_bigint, parse_id


class _IdAutocompleteSelect(AutocompleteSelect):
    """Draws again only the bound values that are ids (the others are the form's error)."""

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        return super().optgroups(name, [v for v in value if parse_id(str(v))], attr)


class RequestValuesAdminMixin:
    """Ids from the request are checked before the admin queries with them; dates are
    within 2000-2100."""

    admin_site: AdminSite

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(db_field, models.DateField) and formfield is not None:  # and date-times
            formfield.validators.append(validate_date_in_range)
        return formfield

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        autocomplete = self.get_autocomplete_fields(request)  # type: ignore[attr-defined]
        if "widget" not in kwargs and db_field.name in autocomplete:
            kwargs["widget"] = _IdAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        filters = [
            part
            for key, values in request.GET.lists()
            if key not in IGNORED_PARAMS
            for value in values
            for part in value.split(",")
        ]
        if any(beyond_bigint(part) for part in filters):
            # What the admin does with a filter it cannot apply: the list, unfiltered, says so.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if request.method == "POST" and not all(parse_id(pk) for pk in selected):
            messages.warning(request, _("Tick the rows to act on among those listed."))
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
