"""Enforcement in the back office: each institution's tariff of claim notices.

Edited like the catalog (`OrganizationScopedAdmin`): the institution's managers add and
change its amounts, its agents read them, every change is audited. A notice copies its
amounts when it is issued, so a new amount never changes a notice already on a car.
The notices themselves and the plate checks have their own pages under /gestion/avis/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin
from parcauto.enforcement.models import NoticeTariff


@admin.register(NoticeTariff)
class NoticeTariffAdmin(OrganizationScopedAdmin):
    list_display = [
        "reason",
        "organization",
        "amount",
        "taxable",
        "due_days",
        "late_fee",
        "is_active",
    ]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter), "reason", "is_active"]
    ordering = ["organization", "reason"]
    fieldsets = [
        (None, {"fields": ["organization", "reason", "is_active"]}),
        (_("Amount"), {"fields": ["amount", "taxable"]}),
        (_("Payment"), {"fields": ["due_days", "late_fee"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("organization")
