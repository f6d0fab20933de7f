from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled


class BackofficeConfig(AppConfig):
    default = True
    name = "parcauto.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")


class ParcautoAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by our site class (tenant-aware, staff-only)."""

    default = False

    default_site = "parcauto.backoffice.admin_site.ParcautoAdminSite"

    def ready(self) -> None:
        # Admin modules are imported at start-up, outside any request: a ModelForm class
        # on a tenant model builds its choice fields then. The back office spans
        # institutions (each ModelAdmin narrows rows itself), so no scope applies here.
        with scopes_disabled():
            super().ready()
