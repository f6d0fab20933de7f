from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "parcauto.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from django.core import checks

        from parcauto.core.checks import PARCAUTO
        from parcauto.core.metrics import metrics_source_register

        from .checks import encryption_keys_check, gateway_check, gateway_deploy_check
        from .metrics import declines_metrics

        checks.register(gateway_check, PARCAUTO)
        checks.register(encryption_keys_check, PARCAUTO)
        checks.register(gateway_deploy_check, PARCAUTO, deploy=True)
        metrics_source_register("card_declines", declines_metrics)
