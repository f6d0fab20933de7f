from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parcauto.backoffice.admin_scoping import (
    OperatorEditedInlineMixin,
    OrganizationScopedAdmin,
    access_for,
)
from parcauto.core import clock
from parcauto.tenants.models import LegalText, Organization, OrganizationHost


class OrganizationHostInline(OperatorEditedInlineMixin, admin.TabularInline):
    """Host names route requests to an institution: only operator admins change them."""

    model = OrganizationHost
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    """Managers keep their institution's branding and texts up to date; the operator
    creates institutions and owns what identifies them (slug, host names, tax numbers)."""

    organization_field = "pk"
    operator_fields = ("slug", "is_active", "gst_number", "qst_number")
    list_display = ["name_fr", "slug", "english_enabled", "is_active"]
    search_fields = ["name_fr", "name_en", "slug"]
    inlines = [OrganizationHostInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access_for(request).operator_admin

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if access_for(request).operator_admin:
            return readonly
        return readonly + self.operator_fields


@admin.register(LegalText)
class LegalTextAdmin(OrganizationScopedAdmin):
    """People consent to a published version: it is frozen, a correction is a new version."""

    list_display = ["organization", "kind", "version", "published_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.published_at <= clock.now():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.published_at <= clock.now():
            return False
        return super().has_delete_permission(request, obj)
