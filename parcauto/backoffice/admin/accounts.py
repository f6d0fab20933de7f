"""People and staff roles in the back office: operator admins only.

A person is one identity across every portal, not a row of one institution: which
institution's staff may see a person will follow from that person's subscriptions. Until
those exist, managers and agents see nobody (least privilege, Law 25).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.accounts.roles import staff_role_lots_check
from parcauto.audit.services import audit_log
from parcauto.backoffice.admin_scoping import OperatorEditedInlineMixin, RoleAwareAdmin
from parcauto.catalog.models import ParkingLot
from parcauto.core.fields import IdMultipleChoiceField
from parcauto.core.params import parse_id

# Permissions come from staff roles (accounts.roles), never from groups.
admin.site.unregister(Group)
# allauth's own admin shows the authenticator's data, i.e. the TOTP secret: replaced below.
admin.site.unregister(Authenticator)


class _LotsField(IdMultipleChoiceField[ParkingLot]):
    def label_from_instance(self, obj: ParkingLot) -> str:
        return f"{obj.organization.name} · {obj}"


class StaffRoleForm(forms.ModelForm[StaffRole]):
    """A role, and for a patrol agent the lots they are limited to (none: every lot)."""

    lots = _LotsField(
        queryset=ParkingLot.objects.none(),
        required=False,
        label=StaffRole._meta.get_field("lots").verbose_name,
        help_text=StaffRole._meta.get_field("lots").help_text,
    )

    class Meta:
        model = StaffRole
        fields = ["user", "organization", "role", "lots"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every institution's lots: only operator admins edit staff roles.
        self.fields["lots"].queryset = ParkingLot.objects.select_related(  # type: ignore[attr-defined]
            "organization"
        ).order_by("organization__name_fr", "number")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organization = cleaned.get("organization")
        try:
            staff_role_lots_check(
                role=cleaned.get("role") or "",
                organization_id=organization.pk if organization else None,
                lots=cleaned.get("lots") or [],
            )
        except ValidationError as refused:
            self.add_error("lots", refused)
        return cleaned


class StaffRoleInline(OperatorEditedInlineMixin, admin.TabularInline):
    model = StaffRole
    form = StaffRoleForm
    extra = 0
    fk_name = "user"


@admin.register(User)
class UserAdmin(RoleAwareAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "date_joined"]
    list_filter = ["is_active", "is_superuser", "staff_roles__role"]
    search_fields = ["email", "first_name", "last_name"]
    # `is_staff` is not shown: entry to the back office comes from staff roles (below).
    fieldsets = (
        (None, {"fields": ("email", "password", "language", "signup_organization")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    inlines = [StaffRoleInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An account's address changes only through its own re-validated flow (the new
        # address proven by the account, the old one told): never typed in here.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "email"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # The password page saves through its own form, not save_model: audit it here.
        match = request.resolver_match
        if match is not None and match.url_name == "auth_user_password_change":
            audit_log(
                action="admin.accounts.user.password_changed",
                actor=request.user,  # type: ignore[arg-type]
                target=obj,
                data={"usable": obj.has_usable_password()},
            )
        return super().log_change(request, obj, message)


@admin.register(Profile)
class ProfileAdmin(RoleAwareAdmin):
    list_display = ["user", "first_name", "last_name", "city"]
    list_select_related = ["user"]
    search_fields = ["user__email", "first_name", "last_name"]


class _AutocompleteSelect(AutocompleteSelect):
    """Django's widget looks up the chosen ids as they were posted when it shows the form
    again with its errors: a forged `user=foo` (or a 23-digit id on SQLite) raised there,
    a 500. Only ids are looked up; the form says the rest is not a valid choice."""

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        ids = [v for v in value if parse_id(str(v)) is not None]
        return super().optgroups(name, ids, attr)


@admin.register(StaffRole)
class StaffRoleAdmin(RoleAwareAdmin):
    form = StaffRoleForm
    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]

    def audit_organization(self, obj: Any) -> Any:
        return obj.organization

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = _AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Authenticator)
class AuthenticatorAdmin(RoleAwareAdmin):
    """A staff member who lost their phone: the operator deletes their authenticators and
    they set up a new app at their next login. Nobody reads a secret here."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
