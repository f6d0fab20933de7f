"""Law 25's records: data downloads, account closures, retention settings, incidents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import InstitutionSettingsModel, TenantOwnedModel, TimeStampedModel

DEFAULT_PROOF_RETENTION_MONTHS = 24


class PrivacySettings(InstitutionSettingsModel):
    """An institution's retention choices (`selectors.privacy_settings_for` gives the
    defaults to an institution without a row)."""

    proof_retention_months = models.PositiveSmallIntegerField(
        _("keep proofs and cheque specimens for (months after the contract ends)"),
        default=DEFAULT_PROOF_RETENTION_MONTHS,
    )

    class Meta(InstitutionSettingsModel.Meta):
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(_("Privacy settings"))


def _export_path(instance: DataExport, filename: str) -> str:
    # Private and unguessable; never under a name the person chose.
    return f"private/exports/{uuid.uuid4().hex}.zip"


class DataExport(TimeStampedModel):
    """One "Mes données" download: built by a task, kept until `expires_at`, then purged.

    A person's data spans every portal (one account), so the row is the person's, not an
    institution's; `organization` is the portal it was asked on (its links and e-mail).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked on the portal of"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=0)
    step = models.CharField(_("current step"), max_length=20, blank=True)
    file = models.FileField(_("file"), upload_to=_export_path, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data download")
        verbose_name_plural = _("data downloads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_data_export_in_progress_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.created_at:%Y-%m-%d %H:%M}"


class AccountClosure(TimeStampedModel):
    """A closed account: asked at `requested_at`, personal data erased at `erased_at`.

    The person row stays, pseudonymised, because the contracts, invoices and payments
    kept for the law's seven years still point at it.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked on the portal of"),
    )
    requested_at = models.DateTimeField(_("asked at"))
    confirmation_email = models.ForeignKey(
        "notifications.OutboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmation e-mail"),
    )
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account closure")
        verbose_name_plural = _("account closures")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.requested_at:%Y-%m-%d}"


class ConfidentialityIncident(TenantOwnedModel):
    """One entry of the register of confidentiality incidents (Law 25, s. 3.8; the
    content is the regulation's, A-2.1 r. 3.1 s. 7, numbered below)."""

    title = models.CharField(_("title"), max_length=200)
    # (1)
    information_concerned = models.TextField(
        _("personal information concerned"),
        help_text=_("Or, if it is not known, why it cannot be described."),
    )
    # (2)
    circumstances = models.TextField(_("circumstances"))
    # (3)
    occurred_from = models.DateField(_("occurred on (or from)"))
    occurred_until = models.DateField(_("occurred until"), null=True, blank=True)
    occurred_approximate = models.BooleanField(_("approximate dates"), default=False)
    # (4)
    discovered_on = models.DateField(_("became aware on"))
    # (5)
    people_affected = models.PositiveIntegerField(_("people concerned"))
    people_affected_approximate = models.BooleanField(_("approximate number"), default=False)
    # (6)
    risk_of_serious_injury = models.BooleanField(_("risk of serious injury"))
    risk_assessment = models.TextField(
        _("risk assessment"),
        help_text=_(
            "What led to the conclusion: how sensitive the information is, possible "
            "ill-intentioned uses, the consequences feared and their likelihood."
        ),
    )
    # (7)
    commission_notified_on = models.DateField(
        _("Commission d'accès à l'information notified on"), null=True, blank=True
    )
    people_notified_on = models.DateField(_("people concerned notified on"), null=True, blank=True)
    public_notice = models.BooleanField(_("public notice given"), default=False)
    public_notice_reason = models.TextField(_("why a public notice was given"), blank=True)
    # (8)
    measures = models.TextField(_("measures taken to reduce the risk of injury"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        ordering = ["-discovered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_until__isnull=True)
                | models.Q(occurred_until__gte=models.F("occurred_from")),
                name="incident_period_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.discovered_on:%Y-%m-%d} · {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.occurred_until and self.occurred_from and self.occurred_until < self.occurred_from:
            errors["occurred_until"] = _("The period cannot end before it starts.")
        if self.public_notice and not self.public_notice_reason.strip():
            errors["public_notice_reason"] = _("Say why a public notice was given.")
        if not self.risk_of_serious_injury and (
            self.commission_notified_on or self.people_notified_on
        ):
            # Notices are for incidents with a risk of serious injury (s. 3.5): a date
            # without that conclusion is a register that contradicts itself.
            errors["risk_of_serious_injury"] = _(
                "Notices were given: tick the risk of serious injury, or remove their dates."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def notices_missing(self) -> bool:
        """A risk of serious injury calls for both notices (Law 25, s. 3.5)."""
        return self.risk_of_serious_injury and not (
            self.commission_notified_on and self.people_notified_on
        )
