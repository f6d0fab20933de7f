from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "parcauto.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.core import checks

        from parcauto.core.checks import PARCAUTO
        from parcauto.core.metrics import metrics_source_register

        from .checks import mail_check, mail_deploy_check
        from .metrics import outbox_metrics

        checks.register(mail_check, PARCAUTO)
        checks.register(mail_deploy_check, PARCAUTO, deploy=True)
        metrics_source_register("outbox", outbox_metrics)
