"""Privacy in the back office: each institution's retention settings, and its register of
confidentiality incidents (Law 25, s. 3.8).

The register is the managers' and the operator's: it describes what went wrong with
people's information, and deciding on notices to the Commission d'accès à l'information
is the institution's answerable people's job, not the service centre's. An entry is
kept (five years at least, A-2.1 r. 3.1 s. 8): only the operator deletes one made by
mistake.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin, access_for
from parcauto.privacy.models import ConfidentialityIncident, PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "proof_retention_months"]


@admin.register(ConfidentialityIncident)
class ConfidentialityIncidentAdmin(OrganizationScopedAdmin):
    list_display = [
        "discovered_on",
        "title",
        "organization",
        "people_affected",
        "risk_of_serious_injury",
        "commission_notified_on",
        "people_notified_on",
    ]
    list_filter = ["risk_of_serious_injury"]
    list_select_related = ["organization"]
    search_fields = ["title", "circumstances"]
    date_hierarchy = "discovered_on"
    readonly_fields = ["recorded_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["organization", "title", "recorded_by"]}),
        (
            _("What happened"),
            {
                "fields": [
                    "information_concerned",
                    "circumstances",
                    ("occurred_from", "occurred_until", "occurred_approximate"),
                    "discovered_on",
                    ("people_affected", "people_affected_approximate"),
                ]
            },
        ),
        (_("Risk of serious injury"), {"fields": ["risk_of_serious_injury", "risk_assessment"]}),
        (
            _("Notices"),
            {
                "fields": [
                    ("commission_notified_on", "people_notified_on"),
                    "public_notice",
                    "public_notice_reason",
                ]
            },
        ),
        (_("Measures"), {"fields": ["measures", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        access = access_for(request)
        queryset = super().get_queryset(request)
        if access.operator_admin:
            return queryset
        return queryset.filter(organization__in=access.managed)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_for(request).may_edit_somewhere

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        access = access_for(request)
        if obj is None:
            return access.may_edit_somewhere
        return access.may_edit(obj.organization_id)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
