from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletsConfig(AppConfig):
    """The access pass in the phone's wallet: Apple's `.pkpass` and its PassKit web service,
    Google Wallet's save link and object updates.

    It sits right above `access`, whose passes it presents, and below the interfaces. Access
    sets off an update by queueing the tasks named in `PARCAUTO_PASS_CHANGED_TASKS`.
    """

    name = "parcauto.wallets"
    label = "wallets"
    verbose_name = _("Wallet passes")
