"""What enforcement refuses, with a stable code and a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError


class EnforcementError(DomainError):
    code = "enforcement_error"


class NoticeStateRefused(EnforcementError):
    """A notice is not in a state to take this change (paid twice, cancelled then paid...)."""

    code = "notice_state"

    def __init__(self) -> None:
        super().__init__(_("This notice can no longer be changed this way."))


class NoTariff(EnforcementError):
    """The institution has no active tariff for the reason: no amount to claim."""

    code = "no_tariff"

    def __init__(self) -> None:
        super().__init__(_("No tariff is set for this reason: ask a manager to set one."))


class NoticeAlreadyPaid(EnforcementError):
    """A second payment of a paid notice (or one while the first is being answered)."""

    code = "notice_paid"

    def __init__(self) -> None:
        super().__init__(_("This notice has already been paid: nothing was charged."))


class NoticeNotPayable(EnforcementError):
    """Contested (payment held until the decision), cancelled: nothing to pay."""

    code = "notice_not_payable"

    def __init__(self, state: str) -> None:
        if state == "contested":
            message = _(
                "This notice is contested: payment is held until the service centre decides."
            )
        else:
            message = _("This notice can no longer be paid.")
        super().__init__(message)


class PaymentUnconfirmed(EnforcementError):
    """The gateway did not say what became of the charge: do not pay again yet."""

    code = "payment_unconfirmed"

    def __init__(self) -> None:
        super().__init__(
            _(
                "The payment service did not confirm your payment. Do not pay again: come "
                "back to this page in a few minutes to see whether it went through."
            )
        )
