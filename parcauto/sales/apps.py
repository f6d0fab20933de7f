from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """A sale across the contract, its means of payment and its billing.

    "Soumettre", approval, refusal and withdrawal each change a contract
    (`subscriptions`), its means of payment (`payments`) and what is charged (`billing`):
    this app, above all three, runs them together so that none of them imports a higher one.
    """

    name = "parcauto.sales"
    label = "sales"
    verbose_name = _("Sales")
