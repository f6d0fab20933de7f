"""Proposals 3-5 of bench/README.md: cheaper per-request lookups (hot rows last is merged).

`--settings bench.variants.lean_settings --app bench.variants.lean:application`.
Per-process caches stand for what the real change would do (cache the Organization,
remember "is staff" in the session, load the profile with the user, read the draft
with only the tables the step needs).
"""

from __future__ import annotations

from parcauto.wsgi import application  # first: Django is set up before any model import

# isort: split
import time
from typing import Any

from django.contrib.auth.backends import ModelBackend

from parcauto.accounts import middleware as account_middleware
from parcauto.accounts.models import User
from parcauto.portal import wizard_views
from parcauto.subscriptions.models import Subscription
from parcauto.tenants import middleware as tenant_middleware

__all__ = ["application"]
TTL = 60.0


def _memo(function: Any) -> Any:
    cache: dict[Any, tuple[float, Any]] = {}

    def cached(key: Any, *args: Any) -> Any:
        hit = cache.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        value = function(*args)
        cache[key] = (time.monotonic() + TTL, value)
        return value

    return cached


_organization = _memo(tenant_middleware.organization_for_host)
_is_staff = _memo(account_middleware.is_staff_member)
tenant_middleware.organization_for_host = lambda hostname: _organization(hostname, hostname)
account_middleware.is_staff_member = lambda user: _is_staff(user.pk, user)


def get_user(self: ModelBackend, user_id: Any) -> User | None:
    user = User._default_manager.select_related("profile").filter(pk=user_id).first()
    return user if user is not None and self.user_can_authenticate(user) else None


ModelBackend.get_user = get_user


def subscription_draft_for(*, person: User, organization: Any) -> Subscription | None:
    draft = (
        Subscription.objects.filter(
            organization=organization, person=person, status=Subscription.Status.DRAFT
        )
        .select_related("product", "category")
        .first()
    )
    if draft is not None:
        draft.organization, draft.person = organization, person
    return draft


wizard_views.subscription_draft_for = subscription_draft_for
