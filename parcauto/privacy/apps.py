from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Quebec's Law 25 for a person and for an institution: the download of everything
    held about a person, the closure of an account, the retention job, the consent log,
    the privacy officer's page and the register of confidentiality incidents.

    It sits right above `sales`: it reads and erases what accounts, vehicles,
    subscriptions, payments, billing and access hold, and nothing below it imports it.
    """

    name = "parcauto.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
