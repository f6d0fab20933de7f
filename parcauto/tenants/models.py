from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcauto.core.i18n import localized
from parcauto.core.models import TenantOwnedModel, TimeStampedModel

from .validators import validate_brand_colour, validate_email_domain, validate_hostname


class Organization(TimeStampedModel):
    """An institution (tenant) with its own portal."""

    slug = models.SlugField(_("slug"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    english_enabled = models.BooleanField(
        _("English offered"),
        default=True,
        help_text=_("French is always offered and is the default language."),
    )
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f4e79", validators=[validate_brand_colour]
    )
    gst_number = models.CharField(_("GST registration number"), max_length=20, blank=True)
    qst_number = models.CharField(_("QST registration number"), max_length=20, blank=True)
    privacy_officer_name = models.CharField(_("privacy officer"), max_length=200, blank=True)
    privacy_officer_email = models.EmailField(_("privacy officer e-mail"), blank=True)
    service_centre_phone = models.CharField(_("service centre phone"), max_length=30, blank=True)
    # Guide 000: the cégep's portal opens accounts only with its own addresses.
    signup_email_domain = models.CharField(
        _("e-mail domain required at sign-up"),
        max_length=253,
        blank=True,
        validators=[validate_email_domain],
        help_text=_("For example cegepmontpetit.ca. Leave empty to accept any address."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en)

    @property
    def primary_hostname(self) -> str:
        hosts = list(self.hosts.all())  # prefetched by organization_list_public
        primary = [host.hostname for host in hosts if host.is_primary]
        return (primary or [host.hostname for host in hosts] or [""])[0]

    @property
    def languages(self) -> list[str]:
        return ["fr", "en"] if self.english_enabled else ["fr"]


class OrganizationHost(TimeStampedModel):
    """A host name on which an institution's portal answers (data, not configuration)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="hosts", verbose_name=_("institution")
    )
    hostname = models.CharField(
        _("host name"), max_length=253, unique=True, validators=[validate_hostname]
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_primary=True),
                name="one_primary_host_per_organization",
            )
        ]

    def __str__(self) -> str:
        return self.hostname


class LegalText(TenantOwnedModel):
    """A versioned text people consent to; a new version never rewrites an old one."""

    class Kind(models.TextChoices):
        SUBSCRIPTION_CONDITIONS = "subscription_conditions", _("Subscription conditions")
        PAYMENT_CONDITIONS = "payment_conditions", _("Payment conditions")
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        PAD_AGREEMENT = "pad_agreement", _("Pre-authorized debit agreement")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    body_fr = models.TextField(_("text (French)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("legal text")
        verbose_name_plural = _("legal texts")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "version"], name="unique_legal_text_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def body(self) -> str:
        return localized(self.body_fr, self.body_en)
