"""Access to lots: the pass of a contract, the grants gates decide on, devices, events.

A grant is one credential (a pass token's hash or a plate) that opens one lot over a time
range. Grants are a projection of the contract, its vehicles (each change counts 24 h
after it is made) and its pass, rewritten by `services.access_sync` whenever one of them
changes: a gate's decision, a controller's offline allowlist and patrol all read the same
stored ranges, never a rule computed ad hoc.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import TenantOwnedModel


class Reason(models.TextChoices):
    """Why a gate opens or stays closed: stable codes, shown to devices and staff."""

    ALLOWED = "allowed", _("Valid permit")
    UNKNOWN = "unknown", _("Unknown pass or plate")
    WRONG_LOT = "wrong_lot", _("Permit for another lot")
    NOT_YET_VALID = "not_yet_valid", _("Permit not yet valid")
    EXPIRED = "expired", _("Permit expired")
    SUSPENDED = "suspended", _("Permit suspended")
    CANCELLED = "cancelled", _("Permit cancelled")
    VEHICLE_NOT_IN_EFFECT = "vehicle_pending", _("Vehicle change not yet in effect")
    ANTI_PASSBACK = "anti_passback", _("Already inside (anti-passback)")


class AccessPass(TenantOwnedModel):
    """The virtual pass of one contract: the QR token, and the wallet passes made from it.

    The token is shown again each time the holder opens the pass, so it is kept sealed
    (encrypted) beside its SHA-256, by which gates find it. Regenerating replaces both:
    the old token stops opening anything at once.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        VOIDED = "voided", _("Voided")

    subscription = models.OneToOneField(
        "subscriptions.Subscription",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contract"),
    )
    serial_number = models.UUIDField(_("serial number"), default=uuid.uuid4, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    token_sealed = models.TextField(_("sealed token"))
    token_issued_at = models.DateTimeField(_("code issued at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    # Bumped by every change a wallet must show: Apple's update tag, Google's version.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("access pass")
        verbose_name_plural = _("access passes")
        indexes = [models.Index(fields=["organization", "changed_at"], name="pass_org_changed")]

    def __str__(self) -> str:
        return str(self.serial_number)


class AccessGrant(TenantOwnedModel):
    """One credential that opens one lot from `valid_from` until `valid_until` (excluded).

    `contract_from` is when the contract itself starts: before it the answer is "not yet
    valid"; between it and a later `valid_from` a plate waits for its 24 h delay.
    `revision` comes from the institution's counter, advanced in the writing transaction
    (which holds the counter row until commit), so revisions become visible in order and
    a controller that asks for what changed since its last one misses nothing.
    """

    class Kind(models.TextChoices):
        PASS = "pass", _("Pass")
        PLATE = "plate", _("Licence plate")

    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")
        REVOKED = "revoked", _("Revoked")

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contract"),
    )
    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.CASCADE, related_name="+", verbose_name=_("lot")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    # A pass token's SHA-256 (hex), or a normalised plate.
    credential = models.CharField(_("credential"), max_length=64)
    jurisdiction = models.CharField(_("province or state"), max_length=2, blank=True)
    contract_from = models.DateTimeField(_("contract starts"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.VALID)
    revision = models.PositiveBigIntegerField(_("revision"))

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "lot", "kind", "credential", "valid_from"],
                name="one_grant_per_credential_range",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="grant_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "kind", "credential"], name="grant_lookup"),
            models.Index(fields=["lot", "revision"], name="grant_lot_revision"),
            models.Index(fields=["subscription"], name="grant_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.credential[:12]} → {self.lot_id}"


class Device(TenantOwnedModel):
    """A gate reader, plate camera or patrol phone of one lot, with its hashed API key.

    The key is `<key_id>.<secret>`: `key_id` finds the row by index, the secret's SHA-256
    is compared in constant time. The key is shown once, when issued or rotated.
    """

    class Kind(models.TextChoices):
        GATE_READER = "gate_reader", _("Gate reader (QR code)")
        PLATE_CAMERA = "plate_camera", _("Plate-recognition camera")
        PATROL_PHONE = "patrol_phone", _("Patrol phone")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    lanes = models.CharField(
        _("lanes"),
        max_length=200,
        blank=True,
        help_text=_("Names of the lanes this device serves, separated by commas."),
    )
    key_id = models.CharField(_("key identifier"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    key_issued_at = models.DateTimeField(_("key issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["lot", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="unique_device_name_per_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AccessEvent(TenantOwnedModel):
    """One decision a device asked for: the answer, its reason, and what was shown.

    `(device, nonce)` is unique: a device that retries a request gets the stored decision
    back and no second event. A busy lot writes ~50,000 a day, read by time range.
    """

    class Direction(models.TextChoices):
        ENTRY = "entry", _("Entry")
        EXIT = "exit", _("Exit")

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="+", verbose_name=_("device")
    )
    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    lane = models.CharField(_("lane"), max_length=30, blank=True)
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    credential_kind = models.CharField(
        _("credential"), max_length=5, choices=AccessGrant.Kind.choices
    )
    plate = models.CharField(_("licence plate"), max_length=10, blank=True)
    jurisdiction = models.CharField(_("province or state"), max_length=2, blank=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )
    allowed = models.BooleanField(_("allowed"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    nonce = models.CharField(_("nonce"), max_length=64)
    device_time = models.DateTimeField(_("device time"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "nonce"], name="one_event_per_device_nonce")
        ]
        indexes = [
            models.Index(fields=["lot", "recorded_at"], name="event_lot_time"),
            models.Index(fields=["subscription", "recorded_at"], name="event_contract_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.lot_id} {self.recorded_at:%Y-%m-%d %H:%M}"
