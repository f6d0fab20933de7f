"""Passes and grants in the admin: read-only, for the staff of their institution.

What a service-centre agent needs when a holder says "the gate refuses me": the pass's
state and revision, and the stored ranges gates decide on. Never the sealed token (it
would open nothing to read, but has no business on a screen).
"""

from __future__ import annotations

from django.contrib import admin

from parcauto.access.models import AccessGrant, AccessPass
from parcauto.backoffice.admin_scoping import ReadOnlyOrganizationScopedAdmin

_BY_ORGANIZATION = ("organization", admin.RelatedOnlyFieldListFilter)


@admin.register(AccessPass)
class AccessPassAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = ["serial_number", "subscription", "state", "revision", "changed_at"]
    list_filter = [_BY_ORGANIZATION, "state"]
    list_select_related = ["subscription"]
    search_fields = ["=subscription__contract_number", "=serial_number"]
    readonly_fields = [
        "organization",
        "subscription",
        "successor",
        "serial_number",
        "state",
        "token_issued_at",
        "revision",
        "changed_at",
        "announced_for",
    ]
    fields = tuple(readonly_fields)  # these only: not the token, hashed or sealed


@admin.register(AccessGrant)
class AccessGrantAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = [
        "subscription",
        "lot",
        "kind",
        "credential",
        "valid_from",
        "valid_until",
        "state",
        "revision",
    ]
    list_filter = [_BY_ORGANIZATION, "kind", "state"]
    list_select_related = ["subscription", "lot"]
    search_fields = ["=subscription__contract_number", "=credential"]
    readonly_fields = [field.name for field in AccessGrant._meta.fields]
