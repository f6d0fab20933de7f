from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    list_display = ["created_at", "action", "actor", "organization", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "target_id", "actor__email"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
