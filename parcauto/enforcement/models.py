"""Enforcement: plate checks, the tariff of claim notices, notices and their photos.

A plate check reads the same stored grants as the gates (`access.AccessGrant`), so a
patrol agent, a plate camera and a gate always agree. A notice is issued by a person
from a check (or in the back office), never by a fuzzy match alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import TenantOwnedModel


class Verdict(models.TextChoices):
    """The one-glance answer of a plate check."""

    VALID = "valid", _("Valid")
    NOT_VALID = "not_valid", _("Not valid")


class CheckReason(models.TextChoices):
    """Why a plate is valid or not in a lot: stable codes, shown to agents and devices."""

    VALID_PERMIT = "valid_permit", _("Valid permit")
    # An occasional (short) permit: valid, until the time shown with the answer.
    VALID_UNTIL = "valid_until", _("Occasional permit, valid until the time shown")
    NO_PERMIT = "no_permit", _("No permit")
    WRONG_LOT = "wrong_lot", _("Permit for another lot")
    VEHICLE_PENDING = "vehicle_pending", _("Vehicle change not yet in effect (24 h)")
    SUSPENDED = "suspended", _("Permit suspended")
    EXPIRED = "expired", _("Permit expired")
    CANCELLED = "cancelled", _("Permit cancelled")
    NOT_YET_VALID = "not_yet_valid", _("Permit not yet valid")
    ALREADY_NOTICED = "already_noticed", _("Already noticed today")


class NoticeReason(models.TextChoices):
    """What a claim notice is issued for: each has its amount in the tariff."""

    NO_PERMIT = "no_permit", _("Parked without a permit")
    WRONG_LOT = "wrong_lot", _("Permit not valid in this lot")
    EXPIRED = "expired", _("Permit expired")
    SUSPENDED = "suspended", _("Permit suspended")
    RESERVED_SPOT = "reserved_spot", _("Parked in a reserved spot")
    OTHER = "other", _("Other infraction")


class NoticeTariff(TenantOwnedModel):
    """An institution's amount for one reason, its taxes, due delay and late fee.

    `amount` is tax included when `taxable` (split with the tax table of the day of the
    infraction, as permits are); the late fee is added once the due date has passed.
    """

    reason = models.CharField(_("reason"), max_length=20, choices=NoticeReason.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Taxes included when the notice is taxable."),
    )
    taxable = models.BooleanField(_("taxable"), default=False)
    due_days = models.PositiveSmallIntegerField(
        _("days to pay"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    late_fee = models.DecimalField(
        _("late fee"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    collection_days = models.PositiveSmallIntegerField(
        _("days before collection"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("An unpaid notice is sent to collection this many days after its due date."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notice tariff")
        verbose_name_plural = _("notice tariffs")
        ordering = ["reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reason"], name="one_tariff_per_reason_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.amount}"


class PlateCheck(TenantOwnedModel):
    """One plate checked in one lot: typed by an agent or read by a camera, and the answer.

    A device's read is idempotent per `(device, read_id)`: a retried batch gets the stored
    answers back. `candidates` lists the OCR look-alikes that hold a valid permit
    ("possible" matches shown to the agent to confirm), as
    `[{"plate": ..., "jurisdiction": ..., "subscription": id, "edits": n}]`.
    """

    class Source(models.TextChoices):
        PATROL = "patrol", _("Patrol agent")
        DEVICE = "device", _("Device")
        BACK_OFFICE = "back_office", _("Back office")

    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    plate = models.CharField(_("licence plate"), max_length=10)
    jurisdiction = models.CharField(_("province or state"), max_length=2, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    device = models.ForeignKey(
        "access.Device",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("device"),
    )
    read_id = models.CharField(_("read id"), max_length=64, blank=True)
    camera = models.CharField(_("camera"), max_length=64, blank=True)
    confidence = models.DecimalField(
        _("confidence"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    read_at = models.DateTimeField(_("read at"))
    checked_at = models.DateTimeField(_("checked at"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=CheckReason.choices)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )
    # The contract's number as the check read it, with the grant: the answer needs no
    # second look-up (nor does a retry's), as its candidates carry theirs.
    contract_number = models.PositiveBigIntegerField(_("contract number"), null=True, blank=True)
    candidates = models.JSONField(_("possible matches"), default=list, blank=True)

    class Meta:
        verbose_name = _("plate check")
        verbose_name_plural = _("plate checks")
        ordering = ["-checked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "read_id"],
                condition=models.Q(device__isnull=False) & ~models.Q(read_id=""),
                name="one_check_per_device_read",
            )
        ]
        indexes = [
            models.Index(fields=["lot", "checked_at"], name="check_lot_time"),
            models.Index(fields=["organization", "plate", "checked_at"], name="check_plate_time"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.lot_id} {self.get_verdict_display()}"


class ClaimNotice(TenantOwnedModel):
    """A claim notice ("avis de réclamation") left on a car, and what became of it.

    `number` is a sequence with a check digit (`services.numbers`); the amounts are fixed
    at issue from the tariff of its reason; `late_fee` is owed once `due_date` has passed.
    Every change of `state` goes through a service function that audits it.
    """

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        PAID = "paid", _("Settled")
        CONTESTED = "contested", _("Contested")
        CANCELLED = "cancelled", _("Cancelled")
        COLLECTION = "collection", _("Sent to collection")

    number = models.CharField(_("notice number"), max_length=12, unique=True)
    lot = models.ForeignKey(
        "catalog.ParkingLot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    zone = models.CharField(_("spot or zone"), max_length=50, blank=True)
    plate = models.CharField(_("licence plate"), max_length=10)
    jurisdiction = models.CharField(_("province or state"), max_length=2)
    vehicle_make = models.CharField(_("make"), max_length=50, blank=True)
    vehicle_colour = models.CharField(_("colour"), max_length=30, blank=True)
    observed_at = models.DateTimeField(_("date and time of the infraction"))
    reason = models.CharField(_("reason"), max_length=20, choices=NoticeReason.choices)
    plate_check = models.ForeignKey(
        PlateCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plate check"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    # The account whose vehicle bears this plate on this portal, if any: it sees the
    # notice in its account and gets it by e-mail.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    comment = models.CharField(_("agent's comment"), max_length=500, blank=True)
    # Fixed at issue (tax-included total = pre_tax + gst + qst).
    pre_tax = models.DecimalField(_("amount before taxes"), max_digits=8, decimal_places=2)
    gst = models.DecimalField(_("GST"), max_digits=8, decimal_places=2)
    qst = models.DecimalField(_("QST"), max_digits=8, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2)
    late_fee = models.DecimalField(_("late fee"), max_digits=8, decimal_places=2, default=0)
    due_date = models.DateField(_("due date"))
    # Copied from the tariff at issue, as the amounts are: a later tariff change never
    # moves a notice already left on a car.
    collection_date = models.DateField(_("sent to collection on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.ISSUED, db_index=True
    )
    issued_at = models.DateTimeField(_("issued at"))
    state_changed_at = models.DateTimeField(_("state changed at"))
    state_reason = models.CharField(_("reason of the last change"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("claim notice")
        verbose_name_plural = _("claim notices")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("pre_tax") + models.F("gst") + models.F("qst")),
                name="notice_total_adds_up",
            ),
            # One notice per check: an agent's double tap issues it once.
            models.UniqueConstraint(
                fields=["plate_check"],
                condition=models.Q(plate_check__isnull=False),
                name="one_notice_per_plate_check",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "issued_at"], name="notice_org_issued"),
            models.Index(fields=["lot", "issued_at"], name="notice_lot_issued"),
            models.Index(fields=["organization", "plate", "observed_at"], name="notice_plate_seen"),
        ]

    def __str__(self) -> str:
        return self.number


def _photo_path(photo: NoticePhoto, filename: str) -> str:
    # The stored name says nothing of the uploaded one (sniffed type decides the suffix).
    return f"notices/{photo.organization_id}/{photo.notice_id}/{filename}"


class NoticePhoto(TenantOwnedModel):
    """A photo of a notice (up to 4): re-encoded and resized; the location is staff-only."""

    MAX_PER_NOTICE = 4

    notice = models.ForeignKey(
        ClaimNotice, on_delete=models.CASCADE, related_name="photos", verbose_name=_("notice")
    )
    image = models.FileField(_("photo"), upload_to=_photo_path)
    content_type = models.CharField(_("type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    # From the photo's EXIF before it was stripped: for staff, never shown to the public.
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice photo")
        verbose_name_plural = _("notice photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.pk}"


class NoticePayment(TenantOwnedModel):
    """One card payment of a notice on the public page, committed before the gateway call.

    `order_id` (`notice-<number>-<try>`) is the gateway's idempotency key: an attempt whose
    answer never came stays SENT and is settled by asking the gateway what became of that
    id, never by charging again. At most one attempt per notice is SENT or APPROVED (the
    constraint), so a notice is never paid twice. The card number never reaches us: the
    iframe's token is vaulted for this one charge and the profile deleted once answered.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, answer not known yet")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    LIVE_STATUSES = (Status.SENT, Status.APPROVED)

    notice = models.ForeignKey(
        ClaimNotice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("notice")
    )
    order_id = models.CharField(_("order id"), max_length=50, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    # What was charged: the notice's total (pre_tax + gst + qst) plus the late fee if owed.
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    late_fee = models.DecimalField(_("late fee"), max_digits=8, decimal_places=2, default=0)
    gateway = models.CharField(_("gateway"), max_length=20)
    # The vault profile of this one charge, until it is answered (then deleted and blanked).
    data_key = models.CharField(_("data key"), max_length=100, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card's last digits"), max_length=4, blank=True)
    response_code = models.CharField(_("response code"), max_length=10, blank=True)
    message = models.CharField(_("gateway message"), max_length=200, blank=True)
    reference = models.CharField(_("gateway reference"), max_length=50, blank=True)
    auth_code = models.CharField(_("authorization code"), max_length=20, blank=True)
    # Where the receipt goes, as typed on the page (optional).
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice payment")
        verbose_name_plural = _("notice payments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice"],
                condition=models.Q(status__in=["sent", "approved"]),
                name="one_live_payment_per_notice",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(paid_at__isnull=False),
                name="approved_payment_has_its_time",
            ),
        ]

    def __str__(self) -> str:
        return self.order_id
