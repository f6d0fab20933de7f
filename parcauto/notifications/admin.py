from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(OrganizationScopedAdmin):
    list_display = ["created_at", "to", "subject", "status", "organization"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
