from __future__ import annotations

from django.contrib import admin

from parcauto.audit.models import AuditEvent
from parcauto.backoffice.admin_scoping import ReadOnlyOrganizationScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = ["created_at", "action", "actor", "organization", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]
    search_fields = ["action", "target_id", "actor__email"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
