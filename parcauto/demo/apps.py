from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo institutions, catalogs and people `make run` loads (`load_demo_data`).

    It sits above every domain app: it fills them all, through their models and services.
    """

    name = "parcauto.demo"
    label = "demo"
