"""How a contract pays (card token, bank account, payroll) and every call made to collect.

Never here: a card number (the gateway's iframe keeps it, rule 21) or a bank account
number in clear (encrypted at rest, `payments.crypto`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.models import InstitutionSettingsModel, TenantOwnedModel, TimeStampedModel

from . import cpa005


def _cheque_path(instance: PaymentMethod, filename: str) -> str:
    # Never the uploaded name: private, random, per institution.
    return f"private/cheques/{instance.organization_id}/{uuid.uuid4().hex}"


class PaymentMethod(TenantOwnedModel):
    """The way one contract pays. Replacing a card adds a row and retires the old one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being verified")
        ACTIVE = "active", _("Active")
        REPLACED = "replaced", _("Replaced")
        REVOKED = "revoked", _("Revoked")

    # The method in force or being verified: at most one per contract (the constraint).
    CURRENT_STATUSES = (Status.PENDING, Status.ACTIVE)

    class HolderKind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        BUSINESS = "business", _("Business")

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.CASCADE,
        related_name="payment_methods",
        verbose_name=_("contract"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentMethodKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Card: the gateway's tokens and what may be shown (rule 21).
    gateway = models.CharField(_("gateway"), max_length=20, blank=True)
    temporary_token = models.CharField(_("temporary token"), max_length=100, blank=True)
    data_key = models.CharField(_("vault data key"), max_length=100, blank=True, db_index=True)
    issuer_id = models.CharField(_("issuer ID (credential on file)"), max_length=30, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last digits"), max_length=4, blank=True)
    card_expiry = models.CharField(_("card expiry (YYMM)"), max_length=4, blank=True)
    # Pre-authorized debit (rules 26-32).
    bank_institution = models.CharField(_("institution number"), max_length=3, blank=True)
    bank_transit = models.CharField(_("transit number"), max_length=5, blank=True)
    bank_account_encrypted = models.TextField(_("account number (encrypted)"), blank=True)
    bank_account_last_digits = models.CharField(_("account last digits"), max_length=4, blank=True)
    holder_name = models.CharField(_("account holder"), max_length=30, blank=True)
    holder_kind = models.CharField(
        _("PAD category"), max_length=10, choices=HolderKind.choices, blank=True
    )
    cheque_specimen = models.FileField(_("cheque specimen"), upload_to=_cheque_path, blank=True)
    pad_agreement = models.ForeignKey(
        "tenants.LegalText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PAD agreement (text and version)"),
    )
    pad_agreement_accepted_at = models.DateTimeField(
        _("PAD agreement accepted at"), null=True, blank=True
    )
    pad_confirmation_sent_at = models.DateTimeField(
        _("PAD confirmation sent at"), null=True, blank=True
    )
    # Payroll deduction (rule 34): a written, revocable authorization.
    employee_number = models.CharField(_("employee number"), max_length=30, blank=True)
    payroll_authorized_at = models.DateTimeField(
        _("payroll authorization given at"), null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=models.Q(status__in=["pending", "active"]),
                name="one_current_payment_method_per_contract",
            )
        ]

    def __str__(self) -> str:
        if self.kind == PaymentMethodKind.CARD and self.card_last4:
            return f"{self.card_brand} •••• {self.card_last4}"
        if self.kind == PaymentMethodKind.PAD and self.bank_account_last_digits:
            # A forgotten account (rule 9) keeps only its last digits.
            branch = "-".join(part for part in (self.bank_institution, self.bank_transit) if part)
            return f"{branch} •••• {self.bank_account_last_digits}".strip()
        return self.get_kind_display()


class PaymentAttempt(TenantOwnedModel):
    """One call to collect or give back money, committed *before* the call (exactly once).

    `order_id` is the gateway's order id and the idempotency key: after a crash, an
    attempt left SENT is settled by asking the gateway about that id, never by
    charging again (ARCHITECTURE "Exactly-once charging").
    """

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Charge")
        REFUND = "refund", _("Refund")
        PAD_DEBIT = "pad_debit", _("Pre-authorized debit")
        PAYROLL = "payroll", _("Payroll deduction")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, outcome unknown")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        FAILED = "failed", _("Not processed")
        RETURNED = "returned", _("Returned by the bank")

    order_id = models.CharField(_("order id"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("invoice"),
    )
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("payment method"),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    response_code = models.CharField(_("response code"), max_length=10, blank=True)
    message = models.CharField(_("message"), max_length=200, blank=True)
    reference = models.CharField(_("gateway reference"), max_length=50, blank=True)
    auth_code = models.CharField(_("authorization code"), max_length=20, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    # A debit or deduction travels in a file: its returns and settlement follow the file.
    collection_file = models.ForeignKey(
        "CollectionFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("collection file"),
    )

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.order_id


class PadOriginator(InstitutionSettingsModel):
    """An institution's pre-authorized debit settings with its bank (rule 33, per bank)."""

    _FILE_FIELDS = (
        "originator_id",
        "short_name",
        "long_name",
        "destination_data_centre",
        "return_institution",
        "return_transit",
        "return_account",
        "transaction_code",
    )

    originator_id = models.CharField(_("originator ID"), max_length=10)
    destination_data_centre = models.CharField(_("destination data centre"), max_length=5)
    short_name = models.CharField(_("short name (statements)"), max_length=15)
    long_name = models.CharField(_("long name"), max_length=30)
    return_institution = models.CharField(_("return institution"), max_length=3)
    return_transit = models.CharField(_("return transit"), max_length=5)
    return_account = models.CharField(_("return account"), max_length=12)
    transaction_code = models.CharField(_("CPA transaction code"), max_length=3, default="400")
    bank_profile = models.CharField(
        _("bank profile"),
        max_length=20,
        default="standard",
        help_text=_("The bank's variant of CPA-005."),
    )
    last_file_number = models.PositiveIntegerField(_("last file creation number"), default=0)
    settle_after_business_days = models.PositiveSmallIntegerField(
        _("debits not returned after (business days) are paid"),
        default=5,
        help_text=_("The bank returns a refused debit within this many business days."),
    )

    class Meta(InstitutionSettingsModel.Meta):
        verbose_name = _("PAD originator")
        verbose_name_plural = _("PAD originators")

    def __str__(self) -> str:
        return f"{self.originator_id} · {self.long_name}"

    def file_settings(self) -> cpa005.OriginatorSettings:
        """The settings as the file writer takes them (checked: Cpa005Error)."""
        return cpa005.OriginatorSettings(
            originator_id=self.originator_id,
            short_name=self.short_name,
            long_name=self.long_name,
            destination_data_centre=self.destination_data_centre,
            return_institution=self.return_institution,
            return_transit=self.return_transit,
            return_account=self.return_account,
            transaction_code=self.transaction_code,
        )

    def clean(self) -> None:
        # Refused here, not in the billing run: a value the file cannot carry would stop
        # this institution's every debit file.
        try:
            self.file_settings()
        except cpa005.Cpa005Error as error:
            refused = ValidationError(
                _("The bank's CPA-005 file cannot carry this value (%(reason)s)."),
                params={"reason": str(error)},
            )
            raise ValidationError(
                {error.field: refused} if error.field in self._FILE_FIELDS else refused
            ) from None
        for field in ("short_name", "long_name"):
            if characters := cpa005.text_refused(getattr(self, field)):
                message = _("The bank's file carries Latin letters only, not %(characters)s.")
                raise ValidationError(
                    {field: ValidationError(message, params={"characters": " ".join(characters)})}
                )


class PayrollEmployer(InstitutionSettingsModel):
    """The institution as the employer that deducts from pay (rule 34): 26 periods a year."""

    employer_code = models.CharField(_("employer code"), max_length=20)
    period_anchor = models.DateField(
        _("first day of a pay period"),
        help_text=_("Any past first day: periods of 14 days run from it, both ways."),
    )

    class Meta(InstitutionSettingsModel.Meta):
        verbose_name = _("payroll employer")
        verbose_name_plural = _("payroll employers")

    def __str__(self) -> str:
        return self.employer_code


def _collection_file_path(instance: CollectionFile, filename: str) -> str:
    return f"private/collection/{instance.organization_id}/{uuid.uuid4().hex}-{filename}"


class CollectionFile(TenantOwnedModel):
    """A file handed to a bank (CPA-005) or an employer (payroll CSV): kept as sent."""

    class Kind(models.TextChoices):
        CPA005 = "cpa005", _("Pre-authorized debits (CPA-005)")
        PAYROLL = "payroll", _("Payroll deductions (CSV)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    collection_date = models.DateField(_("collection date"))
    file_number = models.PositiveIntegerField(_("file creation number"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_collection_file_path)
    record_count = models.PositiveIntegerField(_("transactions"))
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("collection file")
        verbose_name_plural = _("collection files")
        ordering = ["-collection_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "collection_date"],
                name="one_collection_file_per_kind_and_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.collection_date}"

    @property
    def content_type(self) -> str:
        if self.kind == self.Kind.CPA005:
            return "text/plain; charset=us-ascii"
        return "text/csv; charset=utf-8"

    @property
    def download_stem(self) -> str:
        """`cpa005-<institution>-<date>-<file number>` or `retenues-<institution>-<date>`."""
        prefix = "cpa005" if self.kind == self.Kind.CPA005 else "retenues"
        number = f"-{self.file_number:04d}" if self.file_number is not None else ""
        return f"{prefix}-{self.organization.slug}-{self.collection_date:%Y-%m-%d}{number}"


class SandboxCard(TimeStampedModel):
    """The sandbox gateway's vault. Like Moneris' it never holds the card number itself:
    only the outcome its test card stands for, the brand and the last digits."""

    token = models.CharField(_("token"), max_length=60, unique=True)
    permanent = models.BooleanField(_("vaulted"), default=False)
    behaviour = models.CharField(_("test behaviour"), max_length=20)
    brand = models.CharField(_("brand"), max_length=20)
    last4 = models.CharField(_("last digits"), max_length=4)
    expiry = models.CharField(_("expiry (YYMM)"), max_length=4)
    expires_at = models.DateTimeField(_("temporary token expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox card")
        verbose_name_plural = _("sandbox cards")

    def __str__(self) -> str:
        return self.token


class SandboxTransaction(TimeStampedModel):
    """What the sandbox gateway answered for an order id: duplicates and status checks."""

    order_id = models.CharField(_("order id"), max_length=50, unique=True)
    data_key = models.CharField(_("data key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    response_code = models.CharField(_("response code"), max_length=3)
    reference = models.CharField(_("reference"), max_length=50)

    class Meta:
        verbose_name = _("sandbox transaction")
        verbose_name_plural = _("sandbox transactions")

    def __str__(self) -> str:
        return self.order_id
