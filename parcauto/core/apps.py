from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcauto.core"
    label = "core"
