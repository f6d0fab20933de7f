"""Authentication backends that load what every request of a signed-in person reads.

`request.user` is loaded once per request, through the backend named in the session. The
stock backends read the user row alone; then the portal asks for the profile and
`StaffMfaRequiredMiddleware` asks whether a staff role exists: two more queries on every
request. Here the same SELECT brings both, computed afresh on each request, so a staff
role granted or revoked takes effect at the person's next request.
"""

from __future__ import annotations

from typing import Any

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.db.models import Exists, OuterRef

from .models import StaffRole, User

# The attribute the annotation sets on users loaded here (read by the MFA middleware).
HAS_STAFF_ROLE = "has_staff_role"


def _has_staff_role() -> Exists:
    # Built for each request. A hand-written EXISTS (RawSQL) saved ~0.2 ms of CPU a
    # request, 2 % of a sale (`python -m bench.request_path`): not worth raw SQL.
    return Exists(StaffRole.objects.filter(user=OuterRef("pk")))


def user_for_request(user_id: Any) -> User | None:
    """The user with their profile (None when they have none) and whether a staff role exists."""
    users = (
        User._default_manager.select_related("profile")
        .annotate(**{HAS_STAFF_ROLE: _has_staff_role()})
        .filter(pk=user_id)
    )
    return next(iter(users), None)  # a primary key: no ORDER BY, as .first() would add


class _LoadsWhatRequestsRead(django_backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_for_request(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsWhatRequestsRead):
    """Django's backend (e-mail and password as `username`, e.g. `Client.login`)."""


class AuthenticationBackend(_LoadsWhatRequestsRead, allauth_backends.AuthenticationBackend):
    """allauth's backend: the portal's login by e-mail."""
