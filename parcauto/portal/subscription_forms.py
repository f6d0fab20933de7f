"""Forms of the subscription wizard ("+ AJOUTER UN ABONNEMENT") and its side actions.

They parse what the person typed; the rules live in subscriptions.services, whose
refusals come back to the right field through `add_domain_error`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Model, QuerySet
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.catalog.errors import EmailDomainNotAllowed
from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.catalog.selectors import (
    category_check_email,
    category_list,
    lot_list_for_portal,
    product_list_for,
)
from parcauto.core.errors import DomainError
from parcauto.core.fields import (
    BoundedDateField,
    IdChoiceField,
    IdField,
    IdMultipleChoiceField,
)
from parcauto.core.params import parse_id, parse_ids
from parcauto.subscriptions.errors import FieldErrors, ProductNotAvailable, SoldOut
from parcauto.subscriptions.models import WaitingListEntry
from parcauto.subscriptions.services.drafts import MAX_DAYS_AHEAD
from parcauto.subscriptions.services.waitlist import waitlist_position
from parcauto.tenants.models import Organization
from parcauto.vehicles.models import Vehicle

from .forms import REQUIRED

# Where a domain refusal without a field of its own belongs, by error code.
FIELD_BY_CODE = {
    EmailDomainNotAllowed.code: "category",
    ProductNotAvailable.code: "product",
    SoldOut.code: "product",
}
ACCEPTED_PROOF_TYPES = ".jpg,.jpeg,.png,.pdf"


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """A service refusal next to the field it is about, or above the form."""
    if isinstance(error, FieldErrors):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, str(message))
        return
    target = FIELD_BY_CODE.get(error.code)
    form.add_error(target if target in form.fields else None, str(error.message))


def _date_input(**attrs: str) -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


class _LotChoice(IdChoiceField[ParkingLot]):
    def label_from_instance(self, obj: ParkingLot) -> str:
        return obj.label


class _CategoryChoice(IdChoiceField[UserCategory]):
    def label_from_instance(self, obj: UserCategory) -> str:
        return obj.name


@dataclass(frozen=True)
class ProductOption:
    """One permit of the list, with what the person can do with it right now."""

    product: PermitProduct
    # A sold-out permit is selectable only by the person a freed unit is offered to.
    offer: WaitingListEntry | None
    waiting: WaitingListEntry | None
    position: int | None

    @property
    def sold_out(self) -> bool:
        return self.product.is_sold_out

    @property
    def selectable(self) -> bool:
        return not self.sold_out or self.offer is not None


def occasional_on_sale(products: list[PermitProduct]) -> PermitProduct | None:
    """The "Forfait Occasionnel" among `products`: it stays on sale when permits sell out."""
    return next(
        (p for p in products if p.kind == PermitProduct.Kind.OCCASIONAL and not p.is_sold_out),
        None,
    )


class ChooseForm(forms.Form):
    """Step 1, "Choisissez et paramétrez votre abonnement"."""

    lot = _LotChoice(
        queryset=ParkingLot.objects.none(),
        label=_("1. Select a parking lot or an organization"),
        empty_label="—",
        error_messages=REQUIRED,
    )
    category = _CategoryChoice(
        queryset=UserCategory.objects.none(),
        label=_("2. Select your user category"),
        empty_label="—",
        error_messages=REQUIRED,
    )
    access_code = forms.CharField(
        label=_("Do you have an access code?"),
        help_text=_("Some permits are reserved: the code you were given shows them."),
        max_length=50,
        required=False,
    )
    product = IdChoiceField(
        queryset=PermitProduct.objects.none(),
        label=_("3. Select the subscription you want"),
        error_messages={
            "required": _("Choose a subscription."),
            "invalid_choice": ProductNotAvailable().message,
        },
        widget=forms.RadioSelect,
    )
    start_date = BoundedDateField(
        label=_("I wish to subscribe from"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Enter a date, for example 2026-09-01.")},
    )
    end_date = BoundedDateField(
        label=_("until"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Enter a date, for example 2026-09-01.")},
    )
    accepted_conditions = forms.BooleanField(
        label=_("I accept the subscription conditions"), required=False
    )
    accepted_approval_notice = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        person: User,
        now: dt.datetime,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization, self.person, self.now = organization, person, now
        lots = lot_list_for_portal(organization=organization)
        categories = category_list(organization=organization)
        cast(_LotChoice, self.fields["lot"]).queryset = lots
        cast(_CategoryChoice, self.fields["category"]).queryset = categories
        self.fields["accepted_approval_notice"].label = _(
            "I understand that access to the parking lot requires the approval of %(operator)s"
        ) % {"operator": settings.PARCAUTO_OPERATOR_NAME}
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs |= {
                "min": today.isoformat(),
                "max": (today + dt.timedelta(days=MAX_DAYS_AHEAD)).isoformat(),
            }
        if not self.is_bound:  # one lot or one category only: nothing to choose
            for name, queryset in (("lot", lots), ("category", categories)):
                only = list(queryset.values_list("pk", flat=True)[:2])
                if not self.initial.get(name) and len(only) == 1:
                    self.initial[name] = only[0]
        self.selected_lot = self._selected("lot", lots)
        self.selected_category = self._selected("category", categories)
        self.products = self._products()
        product_field = cast(IdChoiceField[PermitProduct], self.fields["product"])
        product_field.queryset = self._product_queryset()
        self.options = self._options()
        self.any_sold_out = any(option.sold_out for option in self.options)
        self.occasional = occasional_on_sale(self.products)

    # --- what the list shows -----------------------------------------------------------
    def _selected(self, name: str, queryset: QuerySet[Any]) -> Any:
        """The lot or category chosen so far (typed, or the initial id), or None."""
        raw = self[name].value()
        if isinstance(raw, Model):
            raw = raw.pk
        pk = raw if isinstance(raw, int) else parse_id(raw)
        return None if pk is None else queryset.filter(pk=pk).first()

    @property
    def access_code_typed(self) -> str:
        return str(self["access_code"].value() or "").strip()

    def _product_queryset(self) -> QuerySet[PermitProduct]:
        if self.selected_lot is None or self.selected_category is None:
            return PermitProduct.objects.none()
        return product_list_for(
            organization=self.organization,
            lot=self.selected_lot,
            category=self.selected_category,
            user=self.person,
            at=self.now,
            # PostgreSQL refuses a NUL byte in a comparison; no code holds one.
            access_code="" if "\x00" in self.access_code_typed else self.access_code_typed,
        )

    def _products(self) -> list[PermitProduct]:
        return list(self._product_queryset())

    def _options(self) -> list[ProductOption]:
        sold_out = [p.pk for p in self.products if p.is_sold_out]
        entries: dict[int, WaitingListEntry] = {}
        if sold_out:
            queryset = WaitingListEntry.objects.filter(
                organization=self.organization,
                person=self.person,
                product_id__in=sold_out,
                status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
            )
            entries = {entry.product_id: entry for entry in queryset}
        options = []
        for product in self.products:
            entry = entries.get(product.pk)
            offered = (
                entry is not None
                and entry.status == WaitingListEntry.Status.OFFERED
                and entry.offer_expires_at is not None
                and entry.offer_expires_at > self.now
            )
            waiting = entry if entry is not None and not offered else None
            options.append(
                ProductOption(
                    product=product,
                    offer=entry if offered else None,
                    waiting=waiting,
                    position=waitlist_position(entry=waiting) if waiting else None,
                )
            )
        return options

    @property
    def selected_product_pk(self) -> str:
        value = self["product"].value()
        return str(getattr(value, "pk", value) or "")

    @property
    def access_code_unknown(self) -> bool:
        """A code was typed but unlocks nothing here (said while choosing, never blocking)."""
        code = self.access_code_typed.casefold()
        if not code or self.selected_lot is None or self.selected_category is None:
            return False
        return not any(p.is_hidden and p.access_code.casefold() == code for p in self.products)

    # --- cleaning ---------------------------------------------------------------------
    def clean_category(self) -> UserCategory | None:
        category = cast(UserCategory | None, self.cleaned_data.get("category"))
        if category is not None:
            try:
                category_check_email(category=category, email=self.person.email)
            except EmailDomainNotAllowed as error:
                raise forms.ValidationError(str(error.message), code=error.code) from None
        return category

    def clean_product(self) -> PermitProduct | None:
        product = cast(PermitProduct | None, self.cleaned_data.get("product"))
        if product is not None:
            option = next((o for o in self.options if o.product.pk == product.pk), None)
            if option is not None and not option.selectable:
                raise forms.ValidationError(str(SoldOut().message), code=SoldOut.code)
        return product

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        product = cleaned.get("product")
        # Only an episodic permit has an end date the person chooses.
        if product is not None and product.kind != PermitProduct.Kind.EPISODIC:
            cleaned["end_date"] = None
        return cleaned

    def refresh_errors(self) -> None:
        """ "Mettre à jour la liste": only what helps while choosing, no "required" yet."""
        self.full_clean()
        kept = ErrorDict()
        category_errors = [
            e
            for e in self.errors.as_data().get("category", [])
            if e.code == "email_domain_not_allowed"
        ]
        if category_errors:
            kept["category"] = self.error_class([str(m) for e in category_errors for m in e])
        if self.access_code_unknown:
            kept["access_code"] = self.error_class(
                [str(_("This access code opens no subscription for this lot and category."))]
            )
        self._errors = kept

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lot": data["lot"],
            "category": data["category"],
            "product": data["product"],
            "start_date": data.get("start_date"),
            "end_date": data.get("end_date"),
            "accepted_conditions": bool(data.get("accepted_conditions")),
            "accepted_approval_notice": bool(data.get("accepted_approval_notice")),
            "access_code": data.get("access_code", "").strip(),
        }

    def add_domain_error(self, error: DomainError) -> None:
        add_domain_error(self, error)


class _VehicleChoice(IdMultipleChoiceField[Vehicle]):
    def label_from_instance(self, obj: Vehicle) -> str:
        return f"{obj.plate} · {obj.make} {obj.model} {obj.year}, {obj.colour}"


class VehicleChoiceForm(forms.Form):
    """Step 2: which of the account's vehicles the permit covers."""

    vehicles = _VehicleChoice(
        queryset=Vehicle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Add the vehicle(s) you will use when parking: (Maximum %(count)d vehicles)"),
        error_messages={"invalid_choice": _("Choose among your own vehicles.")},
    )

    def __init__(self, *args: Any, vehicles: list[Vehicle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(_VehicleChoice, self.fields["vehicles"])
        field.queryset = Vehicle.objects.filter(pk__in=[v.pk for v in vehicles]).order_by(
            "created_at", "id"
        )
        field.label = str(field.label) % {"count": settings.PARCAUTO_MAX_VEHICLES_PER_ACCOUNT}

    def ticked(self) -> list[int]:
        """The ids ticked in the submitted data (valid or not), to tick them again."""
        return parse_ids(map(str, self["vehicles"].value() or []))

    def add_domain_error(self, error: DomainError) -> None:
        add_domain_error(self, error)


class DetailsForm(forms.Form):
    """Step 3, "Informations additionnelles": only what the category asks for."""

    employee_number = forms.CharField(
        label=_("Employee number"), max_length=30, error_messages=REQUIRED
    )
    school = forms.CharField(
        label=_("Educational institution"), max_length=200, error_messages=REQUIRED
    )
    internship_discipline = forms.CharField(
        label=_("Internship discipline"), max_length=200, error_messages=REQUIRED
    )
    proof = forms.FileField(
        label=_("Attach the internship confirmation"),
        help_text=_("Attach a .jpg, .jpeg, .png or .pdf file (maximum size 2 MB)."),
        allow_empty_file=True,  # the service says why an empty file is refused
        error_messages=REQUIRED,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_PROOF_TYPES}),
    )

    def __init__(self, *args: Any, category: UserCategory, has_proof: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = {
            "employee_number": category.requires_employee_number,
            "school": category.requires_school,
            "internship_discipline": category.requires_internship_discipline,
            "proof": category.requires_proof_document,
        }
        for name, needed in asked.items():
            if not needed:
                del self.fields[name]
        if "employee_number" in self.fields and category.employee_number_help:
            self.fields["employee_number"].help_text = category.employee_number_help
        if "proof" in self.fields:
            # A proof already attached is kept unless another file replaces it.
            self.fields["proof"].required = not has_proof
            self.fields["proof"].widget = forms.FileInput(attrs={"accept": ACCEPTED_PROOF_TYPES})

    @property
    def asks_anything(self) -> bool:
        return bool(self.fields)

    def add_domain_error(self, error: DomainError) -> None:
        add_domain_error(self, error)


class WaitlistForm(forms.Form):
    """ "M'inscrire sur la liste d'attente" for a sold-out permit the person may see."""

    lot = IdChoiceField(queryset=ParkingLot.objects.none())
    category = IdChoiceField(queryset=UserCategory.objects.none())
    # Named apart from step 1's `product`: the button sits inside the step 1 form.
    waitlist_product = IdField()
    access_code = forms.CharField(max_length=50, required=False)
    back_to = forms.ChoiceField(
        choices=[("choose", "choose"), ("payment", "payment")], required=False
    )

    def __init__(
        self, *args: Any, organization: Organization, person: User, now: dt.datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization, self.person, self.now = organization, person, now
        lot_field = cast(IdChoiceField[ParkingLot], self.fields["lot"])
        lot_field.queryset = lot_list_for_portal(organization=organization)
        category_field = cast(IdChoiceField[UserCategory], self.fields["category"])
        category_field.queryset = category_list(organization=organization)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lot, category = cleaned.get("lot"), cleaned.get("category")
        product_pk = cleaned.get("waitlist_product")
        if lot is None or category is None or product_pk is None:
            raise forms.ValidationError(str(ProductNotAvailable().message))
        offered = product_list_for(
            organization=self.organization,
            lot=lot,
            category=category,
            user=self.person,
            at=self.now,
            access_code=cleaned.get("access_code", ""),
        )
        product = offered.filter(pk=product_pk).first()
        if product is None:
            raise forms.ValidationError(str(ProductNotAvailable().message))
        cleaned["product"] = product
        return cleaned
