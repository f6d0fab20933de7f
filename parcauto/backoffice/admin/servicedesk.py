"""The service desk's settings in the back office: each institution's FAQ, written by its
managers (agents read it), and its response time. The requests themselves are worked in
the inbox (`/gestion/service/`), not here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin
from parcauto.servicedesk.faq import answer_html
from parcauto.servicedesk.models import FaqEntry, ServiceDeskSettings

_BY_ORGANIZATION = ("organization", admin.RelatedOnlyFieldListFilter)


@admin.register(FaqEntry)
class FaqEntryAdmin(OrganizationScopedAdmin):
    list_display = ["question_fr", "topic_fr", "sort_order", "is_published", "organization"]
    list_filter = [_BY_ORGANIZATION, "is_published"]
    search_fields = ["question_fr", "question_en", "answer_fr", "answer_en"]
    readonly_fields = ["preview_fr", "preview_en"]
    fieldsets = [
        (None, {"fields": ["organization", "topic_fr", "topic_en", "sort_order", "is_published"]}),
        (_("French"), {"fields": ["question_fr", "answer_fr", "preview_fr"]}),
        (_("English"), {"fields": ["question_en", "answer_en", "preview_en"]}),
    ]

    @admin.display(description=_("as people see it"))
    def preview_fr(self, obj: FaqEntry) -> str:
        return format_html("<div>{}</div>", answer_html(obj.answer_fr)) if obj.pk else "—"

    @admin.display(description=_("as people see it"))
    def preview_en(self, obj: FaqEntry) -> str:
        return format_html("<div>{}</div>", answer_html(obj.answer_en)) if obj.pk else "—"


@admin.register(ServiceDeskSettings)
class ServiceDeskSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "response_business_days"]
