"""What the vehicles domain refuses, with a stable code and a message for people.

`field` names the form field the message belongs to (None: the whole form), so every
interface can put it next to what the person typed. Messages are translated when the
error is raised, in the language of the request being served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcauto.core.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class VehicleError(DomainError):
    code = "vehicle_error"
    field: str | None = None


class InvalidVehicleData(VehicleError):
    code = "invalid_vehicle"

    def __init__(self, *, field: str, message: StrOrPromise) -> None:
        super().__init__(message)
        self.field = field


class TooManyVehicles(VehicleError):
    code = "too_many_vehicles"

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            ngettext(
                "Maximum %(limit)d vehicle: remove it before adding another one.",
                "Maximum %(limit)d vehicles: remove one before adding another one.",
                limit,
            )
            % {"limit": limit}
        )
        self.limit = limit


class DuplicatePlate(VehicleError):
    code = "duplicate_plate"
    field = "plate"

    def __init__(self, *, plate: str) -> None:
        super().__init__(
            _("You already registered a vehicle with the plate %(plate)s.") % {"plate": plate}
        )
        self.plate = plate


class VehicleNeeded(VehicleError):
    code = "vehicle_needed"

    def __init__(self, *, needed: int) -> None:
        super().__init__(
            ngettext(
                "Your subscription needs %(count)d vehicle: add another one before removing "
                "this one.",
                "Your subscriptions need %(count)d vehicles: add another one before removing "
                "this one.",
                needed,
            )
            % {"count": needed}
        )
        self.needed = needed


class VehicleRemoved(VehicleError):
    code = "vehicle_removed"

    def __init__(self) -> None:
        super().__init__(_("This vehicle was removed from your account."))
