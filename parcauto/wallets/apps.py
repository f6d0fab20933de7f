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

    def ready(self) -> None:
        from django.core import checks

        from parcauto.core.checks import PARCAUTO

        from .checks import wallet_credentials_check, wallet_deploy_check

        checks.register(wallet_credentials_check, PARCAUTO)
        checks.register(wallet_deploy_check, PARCAUTO, deploy=True)
