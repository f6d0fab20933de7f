"""Reads of the wallets, in the current institution's scope."""

from __future__ import annotations

import datetime as dt
import uuid

from parcauto.access.models import AccessPass

from .models import AppleRegistration


def pass_by_serial(serial: str) -> AccessPass | None:
    """The pass of this serial number in the current institution; None for anything else."""
    try:
        serial_number = uuid.UUID(serial)
    except ValueError:
        return None
    return AccessPass.objects.filter(serial_number=serial_number).first()


def pass_of_contract(subscription_id: int) -> AccessPass | None:
    return AccessPass.objects.filter(subscription_id=subscription_id).first()


def passes_changed_for_device(
    *, device_library_identifier: str, since: dt.datetime | None
) -> list[tuple[uuid.UUID, dt.datetime]]:
    """(serial number, changed at) of the device's registered passes changed after `since`."""
    passes = AccessPass.objects.filter(
        pk__in=AppleRegistration.objects.filter(
            device_library_identifier=device_library_identifier
        ).values("access_pass_id")
    )
    if since is not None:
        passes = passes.filter(changed_at__gt=since)
    return list(passes.order_by("changed_at", "pk").values_list("serial_number", "changed_at"))
