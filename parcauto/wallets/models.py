"""What the wallets know of the phones that hold a pass, and what the sandboxes sent.

Apple's devices register each pass they hold through the PassKit web service (with the
pass's authentication token); a change of the pass is pushed to every one of them. A
Google Wallet object exists once its holder followed the save link: only those are kept
up to date through Google's REST API.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import TenantOwnedModel


class AppleRegistration(TenantOwnedModel):
    """One device that holds one pass and asked to be told when it changes."""

    access_pass = models.ForeignKey(
        "access.AccessPass", on_delete=models.CASCADE, related_name="+", verbose_name=_("pass")
    )
    device_library_identifier = models.CharField(_("device"), max_length=64)
    push_token = models.CharField(_("push token"), max_length=200)
    # SHA-256 of the authentication token the device registered with: once the holder
    # regenerates their code, a device that holds the old pass is pushed nothing more.
    auth_digest = models.CharField(_("authentication digest"), max_length=64)
    # The pass revision last pushed to it: a task run twice pushes once.
    pushed_revision = models.PositiveIntegerField(_("revision pushed"), default=0)

    class Meta:
        verbose_name = _("Apple Wallet registration")
        verbose_name_plural = _("Apple Wallet registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["device_library_identifier", "access_pass"],
                name="one_registration_per_device_and_pass",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "device_library_identifier"], name="wallet_device_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_library_identifier[:12]} · {self.access_pass_id}"


class GoogleWalletObject(TenantOwnedModel):
    """The Google Wallet object of a pass, once its save link was handed out."""

    access_pass = models.OneToOneField(
        "access.AccessPass", on_delete=models.CASCADE, related_name="+", verbose_name=_("pass")
    )
    object_id = models.CharField(_("object id"), max_length=200, unique=True)
    linked_at = models.DateTimeField(_("save link issued at"))
    # The pass revision Google last received: a task run twice updates once.
    sent_revision = models.PositiveIntegerField(_("revision sent"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Google Wallet object")
        verbose_name_plural = _("Google Wallet objects")

    def __str__(self) -> str:
        return self.object_id


class SandboxCall(models.Model):
    """A call the local sandboxes received in place of Apple's or Google's service.

    Not an institution's row: it stands for the outside service, which sees every
    institution's calls. Development and tests read it; production never writes it.
    """

    class Service(models.TextChoices):
        APNS = "apns", _("Apple push notification")
        GOOGLE = "google", _("Google Wallet API")

    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    method = models.CharField(_("method"), max_length=10)
    # The device push token (APNs) or the object id (Google).
    target = models.CharField(_("target"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    body = models.JSONField(_("body"), default=dict)
    called_at = models.DateTimeField(_("called at"))

    class Meta:
        verbose_name = _("sandbox call")
        verbose_name_plural = _("sandbox calls")
        ordering = ["called_at", "id"]

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.target[:16]}"
