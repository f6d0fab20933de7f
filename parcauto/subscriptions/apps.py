from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "parcauto.subscriptions"
    label = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        from parcauto.core.metrics import metrics_source_register

        from .metrics import sales_metrics

        metrics_source_register("sales", sales_metrics)
