from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcauto.core"
    label = "core"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import pre_save
        from django.tasks.signals import task_finished, task_started
        from django_tasks_db.models import DBTaskResult

        from . import task_log
        from .checks import PARCAUTO, metrics_check, metrics_deploy_check
        from .metrics import metrics_source_register, task_queue_metrics

        checks.register(metrics_check, PARCAUTO)
        checks.register(metrics_deploy_check, PARCAUTO, deploy=True)
        metrics_source_register("tasks", task_queue_metrics)
        pre_save.connect(task_log.request_id_stamp, sender=DBTaskResult)
        task_started.connect(task_log.task_started)
        task_finished.connect(task_log.task_finished)
