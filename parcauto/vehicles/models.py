"""A person's vehicles and their history; not an institution's rows.

A vehicle belongs to the account (one identity across every portal), so it is not a
TenantOwnedModel: each portal shows the same vehicles. Changes reach patrol and plate
cameras after an activation delay (rule 19): each one is a VehicleChange row with the
moment it takes effect, and `selectors.vehicles_in_effect` replays them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import Province
from parcauto.core.models import TimeStampedModel

from .normalizers import PLATE_MAX_LENGTH, PLATE_PATTERN

FIRST_MODEL_YEAR = 1950


class UsState(models.TextChoices):
    AL = "AL", _("Alabama")
    AK = "AK", _("Alaska")
    AZ = "AZ", _("Arizona")
    AR = "AR", _("Arkansas")
    CA = "CA", _("California")
    CO = "CO", _("Colorado")
    CT = "CT", _("Connecticut")
    DE = "DE", _("Delaware")
    DC = "DC", _("District of Columbia")
    FL = "FL", _("Florida")
    GA = "GA", _("Georgia")
    HI = "HI", _("Hawaii")
    ID = "ID", _("Idaho")
    IL = "IL", _("Illinois")
    IN = "IN", _("Indiana")
    IA = "IA", _("Iowa")
    KS = "KS", _("Kansas")
    KY = "KY", _("Kentucky")
    LA = "LA", _("Louisiana")
    ME = "ME", _("Maine")
    MD = "MD", _("Maryland")
    MA = "MA", _("Massachusetts")
    MI = "MI", _("Michigan")
    MN = "MN", _("Minnesota")
    MS = "MS", _("Mississippi")
    MO = "MO", _("Missouri")
    MT = "MT", _("Montana")
    NE = "NE", _("Nebraska")
    NV = "NV", _("Nevada")
    NH = "NH", _("New Hampshire")
    NJ = "NJ", _("New Jersey")
    NM = "NM", _("New Mexico")
    NY = "NY", _("New York")
    NC = "NC", _("North Carolina")
    ND = "ND", _("North Dakota")
    OH = "OH", _("Ohio")
    OK = "OK", _("Oklahoma")
    OR = "OR", _("Oregon")
    PA = "PA", _("Pennsylvania")
    RI = "RI", _("Rhode Island")
    SC = "SC", _("South Carolina")
    SD = "SD", _("South Dakota")
    TN = "TN", _("Tennessee")
    TX = "TX", _("Texas")
    UT = "UT", _("Utah")
    VT = "VT", _("Vermont")
    VA = "VA", _("Virginia")
    WA = "WA", _("Washington")
    WV = "WV", _("West Virginia")
    WI = "WI", _("Wisconsin")
    WY = "WY", _("Wyoming")


# Province codes are the ones the profile uses; US states follow, grouped in the menu.
JURISDICTION_CHOICES = [
    (_("Canada"), Province.choices),
    (_("United States"), UsState.choices),
]
JURISDICTION_CODES = frozenset(Province.values) | frozenset(UsState.values)
# What a history row and vehicles_in_effect carry: everything patrol needs to recognise a car.
VEHICLE_DATA_FIELDS = ("plate", "jurisdiction", "make", "model", "year", "colour")


class Vehicle(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Deleting a person must decide what happens to their plates (retention, notices
        # already issued): the privacy process does it, never a cascade by accident.
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    plate = models.CharField(
        _("licence plate"),
        max_length=PLATE_MAX_LENGTH,
        help_text=_("Upper case, letters and digits only (normalised)."),
    )
    plate_match_key = models.CharField(
        _("plate match key"),
        max_length=PLATE_MAX_LENGTH,
        db_index=True,
        help_text=_("The plate with look-alike characters merged, for camera look-ups."),
    )
    jurisdiction = models.CharField(
        _("province or state"), max_length=2, choices=JURISDICTION_CHOICES, default=Province.QC
    )
    make = models.CharField(_("make"), max_length=50)
    model = models.CharField(_("model"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))
    colour = models.CharField(_("colour"), max_length=30)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "plate"],
                condition=models.Q(removed_at__isnull=True),
                name="unique_active_plate_per_owner",
                violation_error_code="duplicate_plate",
                violation_error_message=_("You already registered a vehicle with this plate."),
            ),
            models.CheckConstraint(
                condition=models.Q(plate__regex=PLATE_PATTERN), name="vehicle_plate_normalised"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_MODEL_YEAR), name="vehicle_year_from_1950"
            ),
        ]
        indexes = [models.Index(fields=["owner", "removed_at"], name="vehicle_owner_active")]

    def __str__(self) -> str:
        return f"{self.plate} ({self.jurisdiction})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def data(self) -> dict[str, str | int]:
        """The fields patrol uses, as a history row stores them."""
        return {name: getattr(self, name) for name in VEHICLE_DATA_FIELDS}


class VehicleChange(models.Model):
    """One addition, change or removal, and when patrol and cameras start applying it."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, related_name="changes", verbose_name=_("vehicle")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # The plate in effect from `effective_at` (the removed one for a removal): camera
    # look-ups by key find the vehicles whose plate was recently changed or removed too.
    plate_match_key = models.CharField(_("plate match key"), max_length=PLATE_MAX_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))
    effective_at = models.DateTimeField(_("in effect from"))

    class Meta:
        verbose_name = _("vehicle change")
        verbose_name_plural = _("vehicle changes")
        ordering = ["vehicle_id", "effective_at", "id"]
        indexes = [
            models.Index(fields=["vehicle", "effective_at"], name="vehiclechange_vehicle_eff"),
            models.Index(fields=["plate_match_key", "effective_at"], name="vehiclechange_key_eff"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_at__gte=models.F("changed_at")),
                name="vehiclechange_effective_after_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def state(self) -> dict[str, str | int] | None:
        """The vehicle as patrol knows it once this change is in effect (None: removed)."""
        return None if self.action == self.Action.REMOVED else self.after
