from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    """After the sale: modification, cancellation and report requests, the staff inbox, FAQ.

    It sits above `sales` (a confirmed cancellation ends a contract: billing, payments,
    the quota) and below the interfaces (`portal`, `backoffice`) and `demo`.
    """

    name = "parcauto.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")
