"""What access refuses, with a stable code and a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError


class AccessError(DomainError):
    code = "access_error"


class PassVoided(AccessError):
    code = "pass_voided"

    def __init__(self) -> None:
        super().__init__(_("This pass no longer opens anything: no new code can be issued."))
