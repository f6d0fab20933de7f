"""Reads of payment methods."""

from __future__ import annotations

from .models import PaymentMethod


def payment_method_current(*, subscription_id: int) -> PaymentMethod | None:
    """The contract's method in force, or being verified (at most one: a constraint)."""
    return (
        PaymentMethod.objects.filter(
            subscription_id=subscription_id, status__in=PaymentMethod.CURRENT_STATUSES
        )
        .order_by("-created_at")
        .first()
    )
