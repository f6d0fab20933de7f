from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API for machines: gate readers, plate cameras, patrol phones (`/api/`).

    An interface beside `portal` and `backoffice`: it authenticates a device by its key,
    works in that device's institution, and calls the `access` services.
    """

    name = "parcauto.api"
    label = "api"
    verbose_name = _("API")
