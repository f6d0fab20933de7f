"""Subscriptions in the admin: looked up and audited, never decided or changed here.

Approving and refusing happen in the operator's queue (`/gestion/demandes/`), through the
sale's services that check the transition, give units back and send the e-mails. The
admin only lists contracts for search (by number, e-mail, plate) with their consents and
files, narrowed to the staff member's institutions. Drafts are a person's unfinished
wizard: nobody in the back office sees them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import (
    OrganizationScopedTabularInline,
    ReadOnlyOrganizationScopedAdmin,
)
from parcauto.subscriptions.models import Attachment, Consent, Subscription


class ConsentInline(OrganizationScopedTabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "legal_text", "accepted_at")


class AttachmentInline(OrganizationScopedTabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    # Not the file field: its link would point at private storage. Files are downloaded
    # from the request's page in the queue, by the staff of its institution.
    fields = readonly_fields = ("kind", "original_name", "content_type", "size", "created_at")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = [
        "contract_number",
        "person",
        "organization",
        "lot",
        "product",
        "category",
        "status",
        "submitted_at",
        "start_date",
        "end_date",
    ]
    list_filter = ["status", "organization", "submitted_at"]
    list_select_related = ["person", "organization", "lot", "product", "category"]
    search_fields = ["=contract_number", "person__email", "vehicles__plate"]
    ordering = ["-submitted_at", "-id"]
    date_hierarchy = "submitted_at"
    readonly_fields = [
        "request_page",
        *(f.name for f in Subscription._meta.fields),
        "vehicle_list",
    ]
    exclude = ["vehicles"]
    inlines = [ConsentInline, AttachmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).exclude(status=Subscription.Status.DRAFT)

    @admin.display(description=_("decision"))
    def request_page(self, obj: Subscription) -> str:
        url = reverse("backoffice:request", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the request in the queue"))

    @admin.display(description=_("vehicles"))
    def vehicle_list(self, obj: Subscription) -> str:
        return ", ".join(str(vehicle) for vehicle in obj.vehicles.all()) or "-"
