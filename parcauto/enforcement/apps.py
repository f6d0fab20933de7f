from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    """Patrol: plate checks against the access grants, claim notices and their payment.

    It sits above `sales` (and so `billing`, `payments`, `access`, `vehicles`), whose
    grants, gateway and tax table it uses, and below `servicedesk`, whose staff queue
    decides on a notice's contest, and the interfaces.
    """

    name = "parcauto.enforcement"
    label = "enforcement"
    verbose_name = _("Enforcement")
