from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Who may enter which lot, when: passes, the grants gates decide on, devices, events.

    It sits above `subscriptions` and `vehicles`, whose state it projects into grants, and
    below `payments`, `billing` and `sales`, which call it when a contract changes. The
    layers under it set off a refresh by queueing `access_sync` by name.
    """

    name = "parcauto.access"
    label = "access"
    verbose_name = _("Access")
