"""The contract between a person and an institution, from draft to end."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.catalog.models import PaymentMethodKind
from parcauto.core.models import TenantOwnedModel


class Subscription(TenantOwnedModel):
    """A subscription request and, once approved, the contract ("abonnement").

    While `status` is draft the row is the saved wizard: a person who leaves and comes
    back resumes at `step`. Every change of `status` goes through a service function.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Pending until start")
        ACTIVE = "active", _("Active")
        # Unpaid after the dunning: no access until a payment succeeds (then ACTIVE again).
        SUSPENDED = "suspended", _("Suspended")
        ENDING = "ending", _("Ending")
        ENDED = "ended", _("Ended")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")

    class Step(models.TextChoices):
        CHOOSE = "choose", _("Choose")
        VEHICLES = "vehicles", _("Vehicles")
        DETAILS = "details", _("Additional information")
        SUMMARY = "summary", _("Summary")
        PAYMENT = "payment", _("Payment")

    # States that hold a unit of the product's quota and count as the person's contract.
    LIVE_STATUSES = (
        Status.SUBMITTED,
        Status.APPROVED,
        Status.ACTIVE,
        Status.SUSPENDED,
        Status.ENDING,
    )

    # States whose contract has a pass and grants (approved ones before their first day).
    PASS_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED, Status.ENDING)

    contract_number = models.PositiveBigIntegerField(
        _("contract number"), null=True, blank=True, unique=True
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    category = models.ForeignKey(
        "catalog.UserCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user category"),
    )
    product = models.ForeignKey(
        "catalog.PermitProduct",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    vehicles = models.ManyToManyField(
        "vehicles.Vehicle", related_name="+", blank=True, verbose_name=_("vehicles")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    step = models.CharField(_("wizard step"), max_length=10, choices=Step.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=30, blank=True)
    school = models.CharField(_("school"), max_length=200, blank=True)
    internship_discipline = models.CharField(_("internship discipline"), max_length=200, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethodKind.choices, blank=True
    )
    # What was sold, as it was sold: later catalog edits never change a contract.
    price = models.DecimalField(_("price, taxes included"), max_digits=10, decimal_places=2)
    billing_frequency = models.CharField(_("billing"), max_length=10)
    taxable = models.BooleanField(_("taxable"), default=True)
    language = models.CharField(
        _("contract language"),
        max_length=2,
        default="fr",
        help_text=_("The contract is French; English binds only on the person's express choice."),
    )
    holds_unit = models.BooleanField(
        _("holds a unit of the quota"),
        default=False,
        help_text=_("Set when the unit is taken, cleared when it is given back: once each."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person"],
                condition=models.Q(status="draft"),
                name="one_draft_per_person_and_institution",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="subscription_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(contract_number__isnull=False),
                name="submitted_subscription_has_a_contract_number",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return str(self.contract_number or _("Draft"))

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Consent(TenantOwnedModel):
    """One box a person ticked: which text (and version), when. Never edited."""

    class Kind(models.TextChoices):
        SUBSCRIPTION_CONDITIONS = "subscription_conditions", _("Subscription conditions")
        APPROVAL_NOTICE = "approval_notice", _("Access requires approval")
        PAYMENT_CONDITIONS = "payment_conditions", _("Payment conditions")
        CHARGED_AFTER_APPROVAL = "charged_after_approval", _("Charged only once approved")
        PAYROLL_AUTHORIZATION = "payroll_authorization", _("Payroll deduction authorization")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    legal_text = models.ForeignKey(
        "tenants.LegalText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("text and version"),
    )
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "kind"], name="one_consent_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.accepted_at:%Y-%m-%d %H:%M}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: it is shown, not trusted.
    return f"private/subscriptions/{instance.organization_id}/{uuid.uuid4().hex}"


class Attachment(TenantOwnedModel):
    """A file given with a request (proof of internship): private, type read from bytes."""

    class Kind(models.TextChoices):
        PROOF = "proof", _("Proof document")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    # The name it was uploaded with, as text to show (core.uploads.display_name): never
    # the name it is stored or downloaded under.
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_stem(self) -> str:
        """`preuve-<contract number>` (`preuve` alone for a draft's): the download's name,
        its extension that of the type the bytes showed."""
        number = self.subscription.contract_number
        return "preuve" if number is None else f"preuve-{number}"


class WaitingListEntry(TenantOwnedModel):
    """A person waiting for a sold-out product, served in arrival order."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offer sent")
        CONVERTED = "converted", _("Subscribed")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    product = models.ForeignKey("catalog.PermitProduct", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lot = models.ForeignKey("catalog.ParkingLot", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.UserCategory", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "person"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="one_place_per_person_in_a_waiting_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.person} · {self.get_status_display()}"
