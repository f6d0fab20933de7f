from __future__ import annotations

from django.contrib import admin

from parcauto.backoffice.admin_scoping import ReadOnlyOrganizationScopedAdmin
from parcauto.notifications.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = ["created_at", "to", "subject", "status", "organization"]
    list_filter = ["status", "template"]
    list_select_related = ["organization"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
