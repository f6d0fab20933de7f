from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.models import TimeStampedModel


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person: signs in with an e-mail address, one identity across the portals."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    signup_organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed up on the portal of"),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.email


class Province(models.TextChoices):
    QC = "QC", _("Quebec")
    ON = "ON", _("Ontario")
    NB = "NB", _("New Brunswick")
    NS = "NS", _("Nova Scotia")
    PE = "PE", _("Prince Edward Island")
    NL = "NL", _("Newfoundland and Labrador")
    MB = "MB", _("Manitoba")
    SK = "SK", _("Saskatchewan")
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    YT = "YT", _("Yukon")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Profile(TimeStampedModel):
    """Personal information asked at first login ("Informations personnelles")."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    apartment = models.CharField(_("apt."), max_length=20, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    postal_code = models.CharField(_("postal code"), max_length=7)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    home_phone = models.CharField(_("home phone"), max_length=20, blank=True)
    home_phone_ext = models.CharField(_("ext."), max_length=10, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True)
    work_phone_ext = models.CharField(_("ext."), max_length=10, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mobile_phone="", home_phone="", work_phone=""),
                name="profile_has_a_phone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class StaffRole(TimeStampedModel):
    """What a staff member may do, and for which institution (none = all of them)."""

    class Role(models.TextChoices):
        OPERATOR_ADMIN = "operator_admin", _("Operator administrator")
        MANAGER = "manager", _("Institution manager")
        AGENT = "agent", _("Service-centre agent")
        PATROL = "patrol", _("Patrol agent")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("institution"),
        help_text=_("Empty only for operator administrators, who see every institution."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Named by its app label, not imported: catalog sits above accounts. Read by
    # `roles.StaffAccess.patrol_lot_ids`, checked by `roles.staff_role_lots_check`. A lot
    # deleted leaves the list (a lot with checks or notices cannot be deleted): a role
    # whose every lot was deleted patrols every lot of its institution again.
    lots = models.ManyToManyField(
        "catalog.ParkingLot",
        blank=True,
        related_name="+",
        verbose_name=_("parking lots patrolled"),
        help_text=_(
            "Patrol agents only: the lots of the institution where this agent checks plates "
            "and issues notices. Leave empty for every lot of the institution."
        ),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_staff_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role="operator_admin", organization__isnull=True)
                | (~models.Q(role="operator_admin") & models.Q(organization__isnull=False)),
                name="staff_role_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.organization or _("all institutions")
        return f"{self.user} · {self.get_role_display()} · {where}"
