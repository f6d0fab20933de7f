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
