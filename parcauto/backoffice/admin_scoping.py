"""Admin classes that only show a staff member the institutions they hold a role for."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from parcauto.accounts.roles import is_operator_admin, organizations_managed_by


class OrganizationScopedAdmin(admin.ModelAdmin):
    organization_field = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if is_operator_admin(request.user):
            return queryset
        return queryset.filter(
            **{f"{self.organization_field}__in": organizations_managed_by(request.user)}
        )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "organization" and not is_operator_admin(request.user):
            kwargs["queryset"] = organizations_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
