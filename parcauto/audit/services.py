from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from parcauto.tenants.models import Organization

from .models import AuditEvent

if TYPE_CHECKING:  # audit sits below accounts: every app records its changes here
    from parcauto.accounts.models import User


def audit_log(
    *,
    action: str,
    actor: User | None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a state change; call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
