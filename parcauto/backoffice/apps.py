from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    default = True
    name = "parcauto.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")


class ParcautoAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by our site class (tenant-aware, staff-only).

    Admin modules are imported at start-up, outside any scope: a form class there must
    not name a tenant relation (its choices would be built then, and refused); the
    admin builds those per request, in the staff member's scope.
    """

    default = False

    default_site = "parcauto.backoffice.admin_site.ParcautoAdminSite"
