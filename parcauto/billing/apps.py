from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "parcauto.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from parcauto.core.metrics import metrics_source_register

        from .metrics import billing_run_metrics

        metrics_source_register("billing_run", billing_run_metrics)
