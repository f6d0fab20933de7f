"""Vehicles in the back office: looked up by operator admins, changed by nobody here.

Vehicles belong to a person's account, not to one institution, so they are not
organization-scoped: ReadOnlyOperatorAdmin keeps them to operator admins. They change only
through services.py (history, activation delay, audit), so the admin is read-only; a
person changes them under PARAMÈTRES > Mes véhicules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import ReadOnlyOperatorAdmin
from parcauto.vehicles.models import Vehicle, VehicleChange
from parcauto.vehicles.normalizers import plate_match_key


class VehicleChangeInline(admin.TabularInline):
    model = VehicleChange
    fk_name = "vehicle"
    extra = 0
    can_delete = False
    ordering = ["effective_at", "id"]
    fields = readonly_fields = ("action", "changed_at", "effective_at", "actor", "before", "after")
    verbose_name_plural = _("history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        parent_admin = self.admin_site.get_model_admin(Vehicle)
        return bool(parent_admin.has_view_permission(request, obj))

    def get_queryset(self, request: HttpRequest) -> QuerySet[VehicleChange]:
        return super().get_queryset(request).select_related("actor")


class RemovedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("On the account")), ("removed", _("Removed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "active":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "removed":
            return queryset.filter(removed_at__isnull=False)
        return queryset


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyOperatorAdmin):
    list_display = ["plate", "jurisdiction", "make", "model", "year", "colour", "owner"]
    list_select_related = ["owner"]
    list_filter = [RemovedFilter, "jurisdiction"]
    search_fields = ["plate", "plate_match_key", "owner__email"]
    ordering = ["plate", "id"]
    fields = readonly_fields = (
        "owner",
        "plate",
        "plate_match_key",
        "jurisdiction",
        "make",
        "model",
        "year",
        "colour",
        "created_at",
        "removed_at",
    )
    inlines = [VehicleChangeInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """`abc-123` finds `ABC123`; `8OS123` finds `BOS123` through the match key."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        compact = "".join(ch for ch in search_term if ch.isalnum()).upper()
        if compact:
            results |= queryset.filter(plate_match_key=plate_match_key(compact))
        return results, may_have_duplicates
