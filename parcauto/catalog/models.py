"""What an institution sells: lots, categories of people, permit products and grants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import Province
from parcauto.accounts.normalizers import normalize_postal_code
from parcauto.core.clock import local_today
from parcauto.core.clock import now as clock_now
from parcauto.core.i18n import localized
from parcauto.core.models import TenantOwnedModel

from .validators import validate_email_domain

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_number_validator = RegexValidator(
    r"^[0-9A-Za-z-]+$", _("Use digits, letters and dashes only."), code="invalid_number"
)


class PaymentMethodKind(models.TextChoices):
    CARD = "card", _("Credit card")
    PAD = "pad", _("Pre-authorized debit")
    PAYROLL = "payroll", _("Payroll deduction")


class AllowedPaymentMethods(models.Model):
    """Which ways of paying are accepted: one boolean per method.

    Booleans rather than a JSON list: each is a plain indexed column that filters the
    same way on SQLite and PostgreSQL, shows as a checkbox in the admin, and a check
    constraint keeps at least one of them. A fourth method is one migration away.
    """

    accepts_card = models.BooleanField(_("credit card accepted"), default=True)
    accepts_pad = models.BooleanField(_("pre-authorized debit accepted"), default=True)
    accepts_payroll = models.BooleanField(_("payroll deduction accepted"), default=False)

    class Meta:
        abstract = True

    @property
    def payment_methods(self) -> list[str]:
        """The accepted methods, in the order of PaymentMethodKind."""
        flags = {
            PaymentMethodKind.CARD: self.accepts_card,
            PaymentMethodKind.PAD: self.accepts_pad,
            PaymentMethodKind.PAYROLL: self.accepts_payroll,
        }
        return [kind.value for kind, accepted in flags.items() if accepted]


def _accepts_a_payment_method(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(accepts_card=True)
        | models.Q(accepts_pad=True)
        | models.Q(accepts_payroll=True),
        name=name,
        violation_error_code="no_payment_method",
        violation_error_message=_("Accept at least one payment method."),
    )


class ParkingLot(TenantOwnedModel):
    class AccessMode(models.TextChoices):
        READER = "reader", _("Card or QR code reader")
        PLATE = "plate", _("Licence plate recognition")
        PATROL = "patrol", _("Patrol only")

    number = models.CharField(_("number"), max_length=20, validators=[_number_validator])
    name = models.CharField(_("name"), max_length=200)
    address_line = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7)
    province = models.CharField(
        _("province"), max_length=2, choices=Province.choices, default=Province.QC
    )
    access_mode = models.CharField(_("access mode"), max_length=10, choices=AccessMode.choices)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)
    anti_passback = models.BooleanField(
        _("anti-passback"),
        default=False,
        help_text=_("Refuse a second entry before an exit with the same pass or plate."),
    )

    class Meta:
        verbose_name = _("parking lot")
        verbose_name_plural = _("parking lots")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                name="unique_lot_number_per_organization",
                violation_error_code="duplicate_number",
                violation_error_message=_("This institution already has a lot with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="lot_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"

    def clean(self) -> None:
        try:
            self.postal_code = normalize_postal_code(self.postal_code)
        except ValidationError as error:
            raise ValidationError({"postal_code": error}) from None

    @property
    def label(self) -> str:
        """As the portal lists it: `1085 - Name - 375 rue Argyll, J1J 3H5, Sherbrooke, QC`."""
        address = ", ".join([self.address_line, self.postal_code, self.city, self.province])
        return f"{self.number} - {self.name} - {address}"


class UserCategory(AllowedPaymentMethods, TenantOwnedModel):
    """Who a person is for an institution (Employé, Étudiant...) and what it asks of them."""

    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    requires_employee_number = models.BooleanField(_("employee number required"), default=False)
    requires_school = models.BooleanField(_("school required"), default=False)
    requires_internship_discipline = models.BooleanField(
        _("internship discipline required"), default=False
    )
    requires_proof_document = models.BooleanField(_("proof document required"), default=False)
    employee_number_help_fr = models.CharField(
        _("employee number help (French)"), max_length=200, blank=True
    )
    employee_number_help_en = models.CharField(
        _("employee number help (English)"), max_length=200, blank=True
    )
    email_domain = models.CharField(
        _("required e-mail domain"),
        max_length=253,
        blank=True,
        validators=[validate_email_domain],
        help_text=_("For example cegepmontpetit.ca. Leave empty to accept any address."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("user category")
        verbose_name_plural = _("user categories")
        ordering = ["sort_order", "name_fr"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name_fr"],
                name="unique_category_name_per_organization",
                violation_error_code="duplicate_name",
                violation_error_message=_("This institution already has a category of this name."),
            ),
            _accepts_a_payment_method("category_accepts_a_payment_method"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en)

    @property
    def employee_number_help(self) -> str:
        return localized(self.employee_number_help_fr, self.employee_number_help_en)


# An episodic permit's dates are the person's choice: a year unless the product says
# otherwise, never more than three (longer is a monthly permit, and an end date in
# year 9999 broke every period computed from it).
DEFAULT_MAX_TERM_DAYS = 365
MAX_TERM_DAYS_LIMIT = 3 * 365 + 1


# django-stubs cannot type the reverse manager of a django-scopes manager (built at runtime).
class PermitProduct(AllowedPaymentMethods, TenantOwnedModel):
    """A permit on sale: where (lots), for whom (categories), how long, at what price."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly, recurring")
        FIXED_TERM = "fixed_term", _("Fixed term (e.g. a semester)")
        EPISODIC = "episodic", _("Episodic (chosen dates)")
        OCCASIONAL = "occasional", _("Occasional bundle")

    class Billing(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        PER_TERM = "per_term", _("Per term")
        ONE_TIME = "one_time", _("One time")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        HIDDEN = "hidden", _("Hidden (granted people or access code only)")

    # Billing frequencies that make sense for each kind; the first one is the usual one.
    BILLING_BY_KIND: ClassVar[dict[str, list[str]]] = {
        Kind.MONTHLY: [Billing.MONTHLY],
        Kind.FIXED_TERM: [Billing.PER_TERM, Billing.MONTHLY, Billing.ONE_TIME],
        Kind.EPISODIC: [Billing.MONTHLY, Billing.ONE_TIME],
        Kind.OCCASIONAL: [Billing.ONE_TIME],
    }

    number = models.CharField(_("number"), max_length=20, validators=[_number_validator])
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    lots = models.ManyToManyField(
        ParkingLot,
        related_name="products",
        verbose_name=_("parking lots"),
        help_text=_("Several lots make a multisite permit."),
    )
    categories = models.ManyToManyField(
        UserCategory, related_name="products", verbose_name=_("user categories")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    price = models.DecimalField(
        _("price, taxes included"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    billing_frequency = models.CharField(_("billing"), max_length=10, choices=Billing.choices)
    taxable = models.BooleanField(
        _("taxable"),
        default=True,
        help_text=_("Staff parking is taxable; some patient or visitor parking is exempt."),
    )
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    max_term_days = models.PositiveSmallIntegerField(
        _("maximum term (days)"),
        default=DEFAULT_MAX_TERM_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TERM_DAYS_LIMIT)],
        help_text=_(
            "Episodic permits: the longest stay a person may choose, first and last days included."
        ),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    access_code = models.CharField(
        _("access code"),
        max_length=50,
        blank=True,
        help_text=_("Hidden products only: people who type this code see the product."),
    )
    approval_required = models.BooleanField(_("approval required"), default=True)
    quantity = models.PositiveIntegerField(
        _("units on sale"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    units_taken = models.PositiveIntegerField(_("units taken"), default=0)
    sales_start = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sales_end = models.DateTimeField(_("on sale until"), null=True, blank=True)
    cancellation_notice_days = models.PositiveSmallIntegerField(
        _("cancellation notice (days)"), default=30
    )
    waitlist_offer_days = models.PositiveSmallIntegerField(
        _("waiting-list offer (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("When a unit frees up, how long the next person has to take it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("permit product")
        verbose_name_plural = _("permit products")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                name="unique_product_number_per_organization",
                violation_error_code="duplicate_number",
                violation_error_message=_(
                    "This institution already has a product with this number."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(units_taken__gte=0), name="product_units_taken_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True)
                | models.Q(units_taken__lte=models.F("quantity")),
                name="product_units_taken_within_quantity",
                violation_error_code="oversold",
                violation_error_message=_("More units are taken than are on sale."),
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="fixed_term")
                | models.Q(term_start__isnull=False, term_end__isnull=False),
                name="product_fixed_term_has_dates",
                violation_error_code="term_dates_required",
                violation_error_message=_("A fixed-term product needs a start and an end date."),
            ),
            models.CheckConstraint(
                condition=models.Q(term_start__isnull=True)
                | models.Q(term_end__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="product_term_end_after_start",
                violation_error_code="term_end_before_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(sales_start__isnull=True)
                | models.Q(sales_end__isnull=True)
                | models.Q(sales_end__gt=models.F("sales_start")),
                name="product_sales_end_after_start",
                violation_error_code="sales_end_before_start",
                violation_error_message=_("Sales must end after they start."),
            ),
            models.CheckConstraint(
                condition=models.Q(visibility="hidden") | models.Q(access_code=""),
                name="product_access_code_only_when_hidden",
                violation_error_code="access_code_on_public_product",
                violation_error_message=_("Only a hidden product can have an access code."),
            ),
            _accepts_a_payment_method("product_accepts_a_payment_method"),
        ]

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message: StrOrPromise, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        if self.kind == self.Kind.FIXED_TERM:
            if self.term_start is None:
                add("term_start", _("A fixed-term product needs a start date."), "required")
            if self.term_end is None:
                add("term_end", _("A fixed-term product needs an end date."), "required")
        elif self.term_start or self.term_end:
            add("term_start", _("Only fixed-term products have term dates."), "term_not_allowed")
        if self.term_start and self.term_end and self.term_end < self.term_start:
            add("term_end", _("The term cannot end before it starts."), "term_end_before_start")
        if self.sales_start and self.sales_end and self.sales_end <= self.sales_start:
            add("sales_end", _("Sales must end after they start."), "sales_end_before_start")
        allowed_billing = self.BILLING_BY_KIND.get(self.kind)
        if allowed_billing and self.billing_frequency not in allowed_billing:
            add(
                "billing_frequency",
                _("This billing frequency does not suit this kind of product."),
                "billing_mismatch",
            )
        if self.access_code and self.visibility != self.Visibility.HIDDEN:
            add(
                "access_code",
                _("Only a hidden product can have an access code."),
                "access_code_on_public_product",
            )
        if self.quantity is not None and self.units_taken > self.quantity:
            add(
                "quantity",
                _("%(taken)s units are already taken: the quantity cannot be lower.")
                % {"taken": self.units_taken},
                "quantity_below_taken",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en)

    @property
    def description(self) -> str:
        return localized(self.description_fr, self.description_en)

    @property
    def is_hidden(self) -> bool:
        return self.visibility == self.Visibility.HIDDEN

    @property
    def is_limited(self) -> bool:
        return self.quantity is not None

    @property
    def units_left(self) -> int | None:
        """Units still on sale, or None when the product is unlimited."""
        if self.quantity is None:
            return None
        return max(self.quantity - self.units_taken, 0)

    @property
    def is_sold_out(self) -> bool:
        return self.units_left == 0

    def is_on_sale(self, at: dt.datetime | None = None) -> bool:
        """Active, inside its sales window and its term not over (sold out or not).

        Keep in step with selectors.on_sale_filter, which says the same in SQL.
        """
        at = at or clock_now()
        if not self.is_active:
            return False
        if self.sales_start is not None and at < self.sales_start:
            return False
        if self.sales_end is not None and at >= self.sales_end:
            return False
        return self.term_end is None or self.term_end >= local_today(at)

    def payment_methods_for(self, category: UserCategory) -> list[str]:
        """What a person of `category` may pay this product with: both must accept it."""
        allowed = set(category.payment_methods)
        return [method for method in self.payment_methods if method in allowed]


class ProductGrant(TenantOwnedModel):
    """A hidden product made visible to one person (e.g. reserved spaces for managers)."""

    product = models.ForeignKey(
        PermitProduct, on_delete=models.CASCADE, related_name="grants", verbose_name=_("product")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("product grant")
        verbose_name_plural = _("product grants")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "product", "user"],
                name="unique_product_grant",
                violation_error_code="duplicate_grant",
                violation_error_message=_("This person already has this product."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} → {self.user}"

    def clean(self) -> None:
        if (
            self.product_id
            and self.organization_id
            and self.product.organization_id != self.organization_id
        ):
            message = _("This product belongs to another institution.")
            raise ValidationError({"product": ValidationError(message, code="other_organization")})
        if self.product_id and not self.product.is_hidden:
            message = _("Public products are visible to everyone: grant hidden ones only.")
            raise ValidationError({"product": ValidationError(message, code="product_not_hidden")})
