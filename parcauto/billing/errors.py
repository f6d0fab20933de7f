"""Billing's domain errors: a stable code and a message staff can read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError


class RefundNotAllowed(DomainError):
    code = "refund_not_allowed"


class RefundTooLarge(RefundNotAllowed):
    code = "refund_too_large"

    def __init__(self) -> None:
        super().__init__(_("A refund cannot exceed what was paid less what was already refunded."))
