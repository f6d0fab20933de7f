"""What enforcement refuses, with a stable code and a message for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


class NoticeRefused(EnforcementError):
    """What an agent typed cannot make a notice (another institution's lot, a bad plate,
    a time to come); `field` names the form field it is about."""

    code = "notice_refused"

    def __init__(self, message: StrOrPromise, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AlreadyNoticedToday(EnforcementError):
    """The plate already has a notice of this institution for this day."""

    code = "already_noticed"

    def __init__(self) -> None:
        super().__init__(_("This plate already received a notice today in this institution."))


class PhotoRefused(EnforcementError):
    """A photo that is not a readable jpg or png, too large, or one too many."""

    code = "photo_refused"


class NoticeContested(EnforcementError):
    """A contested notice is decided in the service centre, with the contest in view."""

    code = "notice_contested"

    def __init__(self) -> None:
        super().__init__(
            _("This notice is contested: decide on it in the service centre, with the contest.")
        )


class ReasonRequired(EnforcementError):
    code = "reason_required"

    def __init__(self) -> None:
        super().__init__(_("Give the reason: it is kept in the notice's history."))


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
