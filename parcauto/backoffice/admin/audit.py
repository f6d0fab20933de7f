"""Audit events in the back office: the operator's, and each manager's for their institution.

A manager answers for what their staff and their catalog did, so they read their
institution's events; agents do their work in the request pages, whose history shows
what each request went through, and read no raw audit trail. Events about a person's
account (sign-up, profile, vehicles, unfinished drafts) are about one identity across
every portal, not about an institution: the operator's alone, wherever they were filed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from parcauto.audit.models import AuditEvent
from parcauto.backoffice.admin_scoping import ReadOnlyOrganizationScopedAdmin, access_for

PERSONAL_ACTIONS = ("account.", "profile.", "vehicle.", "subscription.draft_")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = ["created_at", "action", "actor", "organization", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]
    search_fields = ["action", "target_id", "actor__email"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        access = access_for(request)
        queryset = super().get_queryset(request)
        if access.operator_admin:
            return queryset
        personal = Q()
        for prefix in PERSONAL_ACTIONS:
            personal |= Q(action__startswith=prefix)
        return queryset.filter(organization__in=access.managed).exclude(personal)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_for(request).may_edit_somewhere  # operator admins and managers

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        access = access_for(request)
        if obj is None:
            return access.may_edit_somewhere
        return access.may_edit(obj.organization_id) and (
            access.operator_admin or not obj.action.startswith(PERSONAL_ACTIONS)
        )
