"""Building blocks shared by the domain apps."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, ScopeError, get_scope


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class _NoneIsNoInstitution(models.Manager[Any]):
    """django-scopes reads `scope(organization=None)` as "no filter": every institution's
    rows. Here it names no institution, and is refused like a missing scope, so an
    institution that turned out to be None (a root host, an unset id) never opens them all.
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        current = get_scope()
        if current.get("_enabled", True) and current.get("organization", ...) is None:
            raise ScopeError("scope(organization=None) names no institution")
        return super().get_queryset()


class TenantOwnedModel(TimeStampedModel):
    """A row that belongs to one institution: queries outside its scope are refused."""

    # No reverse accessor: tenant data is read through its own scoped manager.
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )

    objects: ClassVar[models.Manager[Any]] = ScopedManager(
        _manager_class=_NoneIsNoInstitution, organization="organization"
    )

    class Meta:
        abstract = True


class InstitutionSettingsModel(TenantOwnedModel):
    """Settings an institution has at most one row of (its billing policy, its bank...)."""

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], name="one_%(app_label)s_%(class)s_per_organization"
            )
        ]


class Counter(models.Model):
    """A named sequence (contract numbers, invoice numbers): gaps possible, never twice."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_value = models.PositiveBigIntegerField(_("last value"))

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class PeriodicTaskRun(models.Model):
    """Which scheduled run of a periodic task was enqueued last: none is enqueued twice."""

    name = models.CharField(_("task"), max_length=200, unique=True)
    slot = models.DateTimeField(
        _("scheduled time"),
        null=True,
        help_text=_("The scheduled time of the last run enqueued: each one is enqueued once."),
    )
    last_enqueued_at = models.DateTimeField(_("last enqueued at"))

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_enqueued_at:%Y-%m-%d %H:%M:%S}"
