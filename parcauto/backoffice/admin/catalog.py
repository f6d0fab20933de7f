"""Catalog in the back office.

OrganizationScopedAdmin does the tenant work: rows and related choices narrowed to the
staff member's institutions, role-based permissions, an audit event per change. The
product form narrows further, to the product's own institution.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.backoffice.admin_scoping import OrganizationScopedAdmin
from parcauto.catalog.models import ParkingLot, PermitProduct, ProductGrant, UserCategory
from parcauto.catalog.services import rows_of_other_organizations
from parcauto.subscriptions.access_refresh import product_access_refresh

_PAYMENT_FIELDS = ("accepts_card", "accepts_pad", "accepts_payroll")
# Only the institutions present in the (already narrowed) rows, not every institution.
_BY_ORGANIZATION = ("organization", admin.RelatedOnlyFieldListFilter)


@admin.register(ParkingLot)
class ParkingLotAdmin(OrganizationScopedAdmin):
    list_display = [
        "number",
        "name",
        "city",
        "access_mode",
        "capacity",
        "organization",
        "is_active",
    ]
    list_filter = [_BY_ORGANIZATION, "access_mode", "is_active"]
    search_fields = ["number", "name", "address_line", "city", "postal_code"]
    ordering = ["organization", "number"]


@admin.register(UserCategory)
class UserCategoryAdmin(OrganizationScopedAdmin):
    list_display = [
        "name_fr",
        "organization",
        "email_domain",
        *_PAYMENT_FIELDS,
        "sort_order",
        "is_active",
    ]
    list_filter = [_BY_ORGANIZATION, "is_active", *_PAYMENT_FIELDS]
    search_fields = ["name_fr", "name_en", "email_domain"]
    ordering = ["organization", "sort_order", "name_fr"]
    fieldsets = [
        (None, {"fields": ["organization", "name_fr", "name_en", "sort_order", "is_active"]}),
        (
            _("What people must provide"),
            {
                "fields": [
                    "requires_employee_number",
                    "employee_number_help_fr",
                    "employee_number_help_en",
                    "requires_school",
                    "requires_internship_discipline",
                    "requires_proof_document",
                    "email_domain",
                ]
            },
        ),
        (_("Payment methods"), {"fields": list(_PAYMENT_FIELDS)}),
    ]


class PermitProductAdminForm(forms.ModelForm):
    class Meta:
        model = PermitProduct
        # The admin passes its fieldsets' fields. Naming tenant relations here would build
        # their choices when this module is imported, outside any scope.
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An existing product only offers its own institution's lots and categories.
        if self.instance.organization_id:
            for name in ("lots", "categories"):
                if name in self.fields:
                    field = self.fields[name]
                    field.queryset = field.queryset.filter(  # type: ignore[attr-defined]
                        organization_id=self.instance.organization_id
                    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        if organization is None:
            return cleaned
        for name in ("lots", "categories"):
            foreign = rows_of_other_organizations(
                organization=organization, **{name: cleaned.get(name) or []}
            )
            if foreign:
                message = _("These belong to another institution: %(labels)s.")
                self.add_error(
                    name,
                    forms.ValidationError(
                        message,
                        code="other_organization",
                        params={"labels": ", ".join(foreign)},
                    ),
                )
        return cleaned


@admin.register(PermitProduct)
class PermitProductAdmin(OrganizationScopedAdmin):
    form = PermitProductAdminForm
    list_display = [
        "number",
        "name_fr",
        "organization",
        "kind",
        "price",
        "billing_frequency",
        "visibility",
        "approval_required",
        "quantity",
        "units_taken",
        "is_active",
    ]
    list_filter = [_BY_ORGANIZATION, "kind", "visibility", "approval_required", "is_active"]
    search_fields = ["number", "name_fr", "name_en", "lots__number", "lots__name"]
    ordering = ["organization", "number"]
    filter_horizontal = ["lots", "categories"]
    # The counter moves with subscriptions (services.product_unit_take/release) only:
    # staff change the quantity on sale, never the units held by people.
    readonly_fields = ["units_taken"]
    fieldsets = [
        (
            None,
            {"fields": ["organization", "number", "name_fr", "name_en", "kind", "is_active"]},
        ),
        (_("Description"), {"fields": ["description_fr", "description_en"]}),
        (_("Where and for whom"), {"fields": ["lots", "categories"]}),
        (
            _("Price and billing"),
            {
                "fields": [
                    "price",
                    "billing_frequency",
                    "taxable",
                    *_PAYMENT_FIELDS,
                    "cancellation_notice_days",
                ]
            },
        ),
        (_("Term"), {"fields": ["term_start", "term_end", "max_term_days"]}),
        (
            _("Sale"),
            {
                "fields": [
                    "visibility",
                    "access_code",
                    "approval_required",
                    "quantity",
                    "units_taken",
                    "sales_start",
                    "sales_end",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("organization")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Read before the form writes the new lots: a change re-syncs the holders' grants.
        lots_before = set(form.instance.lots.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        if change and lots_before != set(form.instance.lots.values_list("pk", flat=True)):
            product_access_refresh(product=form.instance)


class UserByEmailField(forms.ModelChoiceField):
    """The person is typed by e-mail: a drop-down would list every account to every manager."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(to_field_name="email", widget=forms.EmailInput)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip().lower() if isinstance(value, str) else value)


class ProductGrantAdminForm(forms.ModelForm):
    user = UserByEmailField(
        queryset=User.objects.all(),
        label=_("person's e-mail address"),
        error_messages={"invalid_choice": _("No account uses this e-mail address.")},
    )

    class Meta:
        model = ProductGrant
        fields = ["reason"]  # plus the admin's fields; see PermitProductAdminForm.Meta


@admin.register(ProductGrant)
class ProductGrantAdmin(OrganizationScopedAdmin):
    form = ProductGrantAdminForm
    list_display = ["product", "user", "organization", "granted_by", "reason", "created_at"]
    list_filter = [_BY_ORGANIZATION]
    search_fields = ["product__number", "product__name_fr", "user__email", "reason"]
    fields = ["organization", "product", "user", "reason", "granted_by"]
    readonly_fields = ["granted_by"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("organization", "product", "user", "granted_by")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
