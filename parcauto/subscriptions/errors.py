"""What the subscription journey refuses, with a stable code and a message for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SubscriptionError(DomainError):
    code = "subscription_error"


class ProductNotAvailable(SubscriptionError):
    code = "product_not_available"

    def __init__(self) -> None:
        super().__init__(
            _("This permit is not offered to you for this parking lot and category right now.")
        )


class SoldOut(SubscriptionError):
    code = "sold_out"

    def __init__(self) -> None:
        super().__init__(
            _(
                "This permit is sold out. Join the waiting list, or buy an occasional "
                "bundle, which stays on sale."
            )
        )


class FieldErrors(SubscriptionError):
    """Several fields refused at once: `errors` maps a form field to its message."""

    code = "invalid_fields"

    def __init__(self, errors: Mapping[str, StrOrPromise]) -> None:
        super().__init__(_("Some fields need your attention."))
        self.errors = dict(errors)


class TransitionNotAllowed(SubscriptionError):
    code = "transition_not_allowed"


class WaitingListClosed(SubscriptionError):
    code = "waiting_list_not_open"

    def __init__(self) -> None:
        super().__init__(_("The waiting list opens only when the permit is sold out."))
