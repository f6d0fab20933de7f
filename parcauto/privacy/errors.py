from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ClosureRefused(DomainError):
    """The account cannot be closed yet; `reasons` says each thing in the way."""

    code = "closure_refused"

    def __init__(self, reasons: list[StrOrPromise]) -> None:
        super().__init__(_("Your account cannot be closed yet."))
        self.reasons = reasons
