"""What a contract owes: tax rates, invoices (one per contract and period), refunds, runs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import InstitutionSettingsModel, TenantOwnedModel, TimeStampedModel

_ZERO = Decimal("0.00")


class TaxRate(TimeStampedModel):
    """A sales-tax rate from a date on (rules 1-2). Not per institution: the law's."""

    class Tax(models.TextChoices):
        GST = "gst", _("GST")
        QST = "qst", _("QST")

    tax = models.CharField(_("tax"), max_length=3, choices=Tax.choices)
    rate = models.DecimalField(
        _("rate (per cent)"), max_digits=6, decimal_places=3, help_text=_("For example 9.975.")
    )
    effective_from = models.DateField(_("in effect from"))

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["tax", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax", "effective_from"], name="one_rate_per_tax_and_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="tax_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tax_display()} {self.rate} % ({self.effective_from})"


class BillingPolicy(InstitutionSettingsModel):
    """An institution's collection terms (rule 7 and the issue's per-institution settings).

    One row per institution; `billing.selectors.billing_policy_for` returns these defaults
    for an institution that has none.
    """

    retry_after_days = models.CharField(
        _("retry a failed payment after (days)"),
        max_length=50,
        default="3,7",
        help_text=_("Comma-separated delays after the first failure, e.g. 3,7."),
    )
    suspend_after_days = models.PositiveSmallIntegerField(
        _("suspend the access after (days unpaid)"), default=10
    )
    cancel_after_days = models.PositiveSmallIntegerField(
        _("cancel the contract after (days unpaid)"), default=30
    )
    late_interest_monthly_rate = models.DecimalField(
        _("late interest (per cent a month)"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1.5"),
    )
    refunds_unused_days = models.BooleanField(
        _("refund unused days when a contract ends early"), default=True
    )

    class Meta(InstitutionSettingsModel.Meta):
        verbose_name = _("billing policy")
        verbose_name_plural = _("billing policies")

    def __str__(self) -> str:
        return str(_("Billing policy"))


class Invoice(TenantOwnedModel):
    """One charge of a contract for one period: the unique constraint makes a second impossible.

    Late interest (rule 7) is an invoice of its own (kind INTEREST, exempt from taxes as
    a financial charge) for the month it is charged: the charge it comes from stays as
    invoiced, and the person sees the interest as a separate line of the calendar.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Permit")
        INTEREST = "interest", _("Late interest")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        WRITTEN_OFF = "written_off", _("Written off")
        VOID = "void", _("Void")

    number = models.PositiveBigIntegerField(_("invoice number"), unique=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("contract"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
    due_date = models.DateField(_("due date"), db_index=True)
    payment_method = models.CharField(_("payment method"), max_length=10)
    # Tax-included amount and its parts, as invoiced: pre_tax + gst + qst == amount.
    amount = models.DecimalField(_("amount, taxes included"), max_digits=10, decimal_places=2)
    pre_tax = models.DecimalField(_("amount before taxes"), max_digits=10, decimal_places=2)
    gst = models.DecimalField(_("GST"), max_digits=10, decimal_places=2)
    qst = models.DecimalField(_("QST"), max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=10, decimal_places=2, default=_ZERO
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_on = models.DateField(_("next attempt on"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # When the access was suspended for this unpaid invoice (once: the run checks it).
    suspended_at = models.DateTimeField(_("access suspended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind", "period_start"],
                name="one_invoice_per_contract_and_period",
            ),
            models.CheckConstraint(
                # Rounded because SQLite stores decimals as floating point: 13.04 + 0.65
                # + 1.31 is not exactly 15.0 there (PostgreSQL's numeric is exact anyway).
                condition=models.Q(
                    amount=Round(models.F("pre_tax") + models.F("gst") + models.F("qst"), 2)
                ),
                name="invoice_taxes_add_up",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0)
                & models.Q(amount_paid__lte=models.F("amount")),
                name="invoice_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return str(self.number)


class Refund(TenantOwnedModel):
    """Money given back on an invoice: never more than was paid, always with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # A card refund's call to the gateway (none for debit and payroll: paid back by staff).
    attempt = models.OneToOneField(
        "payments.PaymentAttempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund",
        verbose_name=_("gateway call"),
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="refund_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} -{self.amount}"


class BillingRun(TimeStampedModel):
    """One daily run over every institution: progress, results, and where to resume."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    run_date = models.DateField(_("billing date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    contracts_seen = models.PositiveIntegerField(_("contracts seen"), default=0)
    invoices_created = models.PositiveIntegerField(_("invoices created"), default=0)
    charges_approved = models.PositiveIntegerField(_("charges approved"), default=0)
    charges_declined = models.PositiveIntegerField(_("charges declined"), default=0)
    files_created = models.PositiveIntegerField(_("files created"), default=0)
    interest_invoices = models.PositiveIntegerField(_("late-interest invoices"), default=0)
    suspended = models.PositiveIntegerField(_("contracts suspended"), default=0)
    cancelled = models.PositiveIntegerField(_("contracts cancelled"), default=0)
    phase = models.CharField(_("current step"), max_length=20, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.run_date} · {self.get_status_display()}"


class BillingRunPart(TimeStampedModel):
    """One institution's share of a run: done by a task of its own, on any worker.

    Not tenant data (like the run): it says which institutions a run has gone through.
    """

    run = models.ForeignKey(
        BillingRun, on_delete=models.CASCADE, related_name="parts", verbose_name=_("run")
    )
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.CASCADE,
        related_name="billing_run_parts",
        verbose_name=_("institution"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing run part")
        verbose_name_plural = _("billing run parts")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organization"], name="one_part_per_run_and_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.organization_id}"
