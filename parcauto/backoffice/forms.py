"""Forms of the operator's pages: queue filters, bulk approval, refusal, billing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from parcauto.billing.models import Invoice
from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.core.fields import BoundedDateField, IdChoiceField, IdMultipleChoiceField
from parcauto.core.money import format_money_active
from parcauto.core.uploads import megabytes
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.selectors import QueueFilters
from parcauto.tenants.models import Organization

ALL_STATUSES = ""
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _InstitutionChoiceField(IdChoiceField[Model]):
    """Names the institution too when the staff member sees several."""

    def __init__(self, *args: Any, with_institution: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_institution = with_institution

    def label_from_instance(self, obj: Model) -> str:
        label = self._label(obj)
        organization = getattr(obj, "organization", None)
        if self.with_institution and organization is not None:
            return f"{organization.name} · {label}"
        return label

    @staticmethod
    def _label(obj: Model) -> str:
        if isinstance(obj, PermitProduct):
            return f"{obj.number} - {obj.name}"
        if isinstance(obj, UserCategory | Organization):
            return str(obj.name)
        return str(obj)


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; "awaiting approval" by default.

    Every choice is narrowed to the staff member's institutions (to the chosen one when
    there is a choice): a lot, category or product of another institution is an invalid
    choice, and an invalid filter is ignored (the others still apply).
    """

    organization = _InstitutionChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Institution"),
        empty_label=_("All my institutions"),
    )
    lot = _InstitutionChoiceField(
        queryset=ParkingLot.objects.none(), required=False, label=_("Parking lot")
    )
    category = _InstitutionChoiceField(
        queryset=UserCategory.objects.none(), required=False, label=_("User category")
    )
    product = _InstitutionChoiceField(
        queryset=PermitProduct.objects.none(), required=False, label=_("Permit")
    )
    status = forms.ChoiceField(choices=(), required=False, label=_("Status"))
    submitted_from = BoundedDateField(required=False, label=_("Submitted from"), widget=DATE_INPUT)
    submitted_to = BoundedDateField(required=False, label=_("Submitted until"), widget=DATE_INPUT)

    def __init__(self, query: QueryDict, *, organizations: QuerySet[Organization]) -> None:
        data = query.copy()
        data.setdefault("status", Subscription.Status.SUBMITTED)
        visible = list(organizations)
        only_one = len(visible) == 1
        if only_one:
            data.setdefault("organization", str(visible[0].pk))
        super().__init__(data)
        chosen = _chosen(data.get("organization"), visible)
        scope = [chosen] if chosen else visible
        several = len(scope) > 1
        fields = self.fields
        fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        if only_one:
            fields["organization"].empty_label = None  # type: ignore[attr-defined]
        for name, model, order in (
            ("lot", ParkingLot, ("number",)),
            ("category", UserCategory, ("sort_order", "name_fr")),
            ("product", PermitProduct, ("number",)),
        ):
            field = fields[name]
            field.queryset = (  # type: ignore[attr-defined]
                model.objects.filter(organization__in=scope)
                .select_related("organization")
                .order_by("organization__name_fr", *order)
            )
            field.with_institution = several  # type: ignore[attr-defined]
            field.empty_label = {  # type: ignore[attr-defined]
                "lot": _("All lots"),
                "category": _("All categories"),
                "product": _("All permits"),
            }[name]
        fields["status"].choices = [  # type: ignore[attr-defined]
            (ALL_STATUSES, _("All statuses")),
            *[
                (value, label)
                for value, label in Subscription.Status.choices
                if value != Subscription.Status.DRAFT
            ],
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("The end date cannot be before the start date."))
        return cleaned

    def _valid(self, name: str) -> Any:
        """A filter's value, or None when it was refused."""
        self.is_valid()
        return None if name in self.errors else self.cleaned_data.get(name)

    def organizations(self, visible: QuerySet[Organization]) -> QuerySet[Organization]:
        chosen = self._valid("organization")
        return visible.filter(pk=chosen.pk) if chosen else visible

    def filters(self) -> QueueFilters:
        lot, category, product = self._valid("lot"), self._valid("category"), self._valid("product")
        status = self._valid("status")
        return QueueFilters(
            lot_id=lot.pk if lot else None,
            category_id=category.pk if category else None,
            product_id=product.pk if product else None,
            status=Subscription.Status.SUBMITTED if status is None else status or None,
            submitted_from=self._valid("submitted_from"),
            submitted_to=self._valid("submitted_to"),
        )


def _chosen(value: str | None, visible: list[Organization]) -> Organization | None:
    return next((o for o in visible if str(o.pk) == (value or "")), None)


class BulkApproveForm(forms.Form):
    """The requests ticked in the queue; only those of institutions the person decides for."""

    subscriptions = IdMultipleChoiceField(
        queryset=Subscription.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Select at least one request."),
            "invalid_choice": _("One of the selected requests cannot be found."),
            "invalid_pk_value": _("One of the selected requests cannot be found."),
        },
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subscriptions"].queryset = (  # type: ignore[attr-defined]
            Subscription.objects.filter(organization__in=organizations)
            .exclude(status=Subscription.Status.DRAFT)
            .select_related("organization", "person", "person__profile", "lot", "product")
            .order_by("submitted_at", "pk")
        )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        help_text=_("The person receives this reason by e-mail."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason: the person receives it by e-mail.")},
    )


# --- Billing pages --------------------------------------------------------------------------


class InstitutionFilterForm(forms.Form):
    """One of the staff member's institutions, or all of them; anything else is ignored."""

    organization = _InstitutionChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Institution"),
        empty_label=_("All my institutions"),
    )

    def __init__(self, query: QueryDict, *, organizations: QuerySet[Organization]) -> None:
        super().__init__(query)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def organizations(self, visible: QuerySet[Organization]) -> QuerySet[Organization]:
        self.is_valid()  # a field that did not validate is left out of cleaned_data
        chosen = self.cleaned_data.get("organization")
        return visible.filter(pk=chosen.pk) if chosen else visible


class InvoiceSearchForm(InstitutionFilterForm):
    """Find an invoice (to refund it, for instance): by number, contract or e-mail."""

    text = forms.CharField(
        required=False,
        max_length=200,
        label=_("Invoice, contract or e-mail"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(required=False, label=_("Status"))

    def __init__(self, query: QueryDict, *, organizations: QuerySet[Organization]) -> None:
        super().__init__(query, organizations=organizations)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (ALL_STATUSES, _("All statuses")),
            *Invoice.Status.choices,
        ]

    def value(self, name: str) -> str:
        """A filter's value; an invalid one is ignored (empty)."""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")


class PeriodFilterForm(InstitutionFilterForm):
    """An institution and a range of days (`first_day`, `last_day`: the subclass's fields,
    with its labels), from `first_default(today)` to today by default; the end not before
    the start."""

    def __init__(
        self, query: QueryDict, *, organizations: QuerySet[Organization], today: dt.date
    ) -> None:
        data = query.copy()
        data.setdefault("first_day", self.first_default(today).isoformat())
        data.setdefault("last_day", today.isoformat())
        super().__init__(data, organizations=organizations)

    def first_default(self, today: dt.date) -> dt.date:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The end date cannot be before the start date."))
        return cleaned


class RevenueFilterForm(PeriodFilterForm):
    """A date range of payments (this month so far by default) and an institution."""

    first_day = BoundedDateField(label=_("Paid from"), widget=DATE_INPUT)
    last_day = BoundedDateField(label=_("Paid until"), widget=DATE_INPUT)

    def first_default(self, today: dt.date) -> dt.date:
        return today.replace(day=1)


class RefundForm(forms.Form):
    """How much to give back, and why; never more than what was paid and not yet refunded."""

    amount = forms.DecimalField(
        label=_("Amount to refund (taxes included)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the amount to refund.")},
    )
    reason = forms.CharField(
        label=_("Reason for the refund"),
        help_text=_("Kept in the invoice's history."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the refund.")},
    )

    def __init__(self, *args: Any, refundable: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refundable = refundable

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount > self.refundable:
            raise forms.ValidationError(
                _("At most %(amount)s can still be refunded on this invoice."),
                code="too_much",
                params={"amount": format_money_active(self.refundable)},
            )
        return amount

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the refund."), code="required")
        return reason


class PadReturnsForm(forms.Form):
    """The bank's returned-debit report (CSV) and the institution whose debits it returns."""

    MAX_BYTES = 2 * 1024 * 1024  # a day's returns are a few lines; a bigger file is a mistake

    organization = _InstitutionChoiceField(
        queryset=Organization.objects.none(),
        label=_("Institution"),
        empty_label=None,
        error_messages={"required": _("Choose the institution.")},
    )
    report = forms.FileField(
        label=_("Returned-debit report (CSV)"),
        help_text=_("The file the bank sends with the debits it returned."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Choose the report to import."),
            "empty": _("The report is empty."),
        },
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_report(self) -> str:
        """The report's text: UTF-8 (a spreadsheet's byte order mark is allowed)."""
        upload = self.cleaned_data["report"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The report is %(size)s: the maximum is %(max)s."),
                code="too_big",
                params={"size": megabytes(upload.size), "max": megabytes(self.MAX_BYTES)},
            )
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The report must be a CSV file in UTF-8."), code="not_text"
            ) from None
