"""Payments in the back office: what was collected is viewed, the bank settings edited.

A payment method shows only masked (brand and last digits, or the bank's numbers with
the account's last digits): the fields shown are listed one by one, so a field added to
the model later stays hidden until someone decides to show it. The private files carry
whole bank account numbers (a cheque specimen, the CPA-005 file of every debit): they
are sent by a download view of the admin, never by URL, and only to the managers of
their institution and operator admins; agents see the masked method.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parcauto.backoffice.admin_scoping import (
    OrganizationScopedAdmin,
    ReadOnlyOrganizationScopedAdmin,
    access_for,
)
from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.http import private_download
from parcauto.core.uploads import stored_document_type
from parcauto.payments.models import (
    CollectionFile,
    PadOriginator,
    PaymentAttempt,
    PaymentMethod,
    PayrollEmployer,
)

_BY_ORGANIZATION = ("organization", admin.RelatedOnlyFieldListFilter)


class _PrivateFileAdmin(ReadOnlyOrganizationScopedAdmin):
    """A read-only list whose rows carry one private file, downloaded through the admin."""

    file_field: str

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download),
                name=f"{meta.app_label}_{meta.model_name}_download",
            ),
            *super().get_urls(),
        ]

    def download_stem(self, obj: Any) -> str:
        raise NotImplementedError

    def download_content_type(self, obj: Any) -> str:
        raise NotImplementedError

    def may_download(self, request: HttpRequest, obj: models.Model) -> bool:
        """A manager of the row's institution, or an operator admin."""
        return access_for(request).may_edit(self.organization_id_of(obj))

    def download(self, request: HttpRequest, pk: int) -> FileResponse:
        # get_queryset narrows to the staff member's institutions: another one's is a 404.
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.may_download(request, obj):
            raise PermissionDenied
        file = getattr(obj, self.file_field)
        if not file:
            raise Http404
        return private_download(
            file, stem=self.download_stem(obj), content_type=self.download_content_type(obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.may_download(request, obj):
            return [name for name in readonly if name != "download_link"]
        return readonly

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_list_display(self, request: HttpRequest) -> Any:
        list_display = list(super().get_list_display(request))
        if access_for(request).may_edit_somewhere:
            return list_display
        return [name for name in list_display if name != "download_link"]

    @admin.display(description=_("file"))
    def download_link(self, obj: models.Model) -> str:
        if not getattr(obj, self.file_field):
            return "-"
        meta = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{meta.app_label}_{meta.model_name}_download", args=[obj.pk]
        )
        return format_html('<a href="{}">{}</a>', url, _("Download"))


@admin.register(PaymentMethod)
class PaymentMethodAdmin(_PrivateFileAdmin):
    file_field = "cheque_specimen"
    list_display = ["subscription", "person", "kind", "status", "shown_as", "created_at"]
    list_filter = [_BY_ORGANIZATION, "kind", "status"]
    list_select_related = ["subscription", "person"]
    search_fields = ["subscription__contract_number", "person__email", "employee_number"]
    # Never the account number (even encrypted) nor the gateway's tokens and ids; the
    # bank's institution and transit only inside the mask (`shown_as`).
    readonly_fields = [
        "subscription",
        "person",
        "organization",
        "kind",
        "status",
        "shown_as",
        "card_expiry",
        "holder_name",
        "holder_kind",
        "pad_agreement",
        "pad_agreement_accepted_at",
        "pad_confirmation_sent_at",
        "payroll_authorized_at",
        "revoked_at",
        "created_at",
        "download_link",
    ]

    @admin.display(description=_("paid with"))
    def shown_as(self, obj: PaymentMethod) -> str:
        if obj.kind == PaymentMethodKind.PAYROLL:
            return obj.employee_number
        return str(obj)  # the last digits only

    def download_stem(self, obj: PaymentMethod) -> str:
        return f"specimen-cheque-{obj.subscription.contract_number or obj.pk}"

    def download_content_type(self, obj: PaymentMethod) -> str:
        # The row keeps no type: the bytes, checked at upload, say it again.
        return stored_document_type(obj.cheque_specimen)


@admin.register(CollectionFile)
class CollectionFileAdmin(_PrivateFileAdmin):
    file_field = "file"
    list_display = [
        "collection_date",
        "kind",
        "file_number",
        "record_count",
        "total_amount",
        "organization",
        "download_link",
    ]
    list_filter = [_BY_ORGANIZATION, "kind"]
    exclude = ["file"]
    readonly_fields = [
        field.name for field in CollectionFile._meta.fields if field.name != "file"
    ] + ["download_link"]

    def download_stem(self, obj: CollectionFile) -> str:
        return obj.download_stem

    def download_content_type(self, obj: CollectionFile) -> str:
        return obj.content_type


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyOrganizationScopedAdmin):
    list_display = ["order_id", "kind", "status", "amount", "response_code", "created_at"]
    list_filter = [_BY_ORGANIZATION, "kind", "status"]
    search_fields = ["order_id", "reference"]
    readonly_fields = [field.name for field in PaymentAttempt._meta.fields]


@admin.register(PadOriginator)
class PadOriginatorAdmin(OrganizationScopedAdmin):
    list_display = [
        "originator_id",
        "long_name",
        "bank_profile",
        "last_file_number",
        "organization",
    ]
    readonly_fields = ["last_file_number"]


@admin.register(PayrollEmployer)
class PayrollEmployerAdmin(OrganizationScopedAdmin):
    list_display = ["employer_code", "period_anchor", "organization"]
