from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from parcauto.accounts.roles import is_operator_admin, organizations_managed_by
from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin

from .models import LegalText, Organization, OrganizationHost


class OrganizationHostInline(admin.TabularInline):
    model = OrganizationHost
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "slug", "english_enabled", "is_active"]
    search_fields = ["name_fr", "name_en", "slug"]
    inlines = [OrganizationHostInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return organizations_managed_by(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_operator_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator_admin(request.user)


@admin.register(LegalText)
class LegalTextAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "kind", "version", "published_at"]
    list_filter = ["kind"]
