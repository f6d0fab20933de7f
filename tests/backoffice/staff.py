"""Staff members for tests: a role, and an authenticator app set up with a known secret."""

from __future__ import annotations

import time
from collections.abc import Sequence

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from parcauto.accounts.models import StaffRole, User
from parcauto.catalog.models import ParkingLot
from parcauto.tenants.models import Organization
from tests.factories import UserFactory
from tests.scoping import within

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, as allauth generates


def staff_member(
    role: str,
    organization: Organization | None = None,
    *,
    email: str | None = None,
    totp: bool = True,
    lots: Sequence[ParkingLot] = (),
) -> User:
    """`lots`: the only lots a patrol agent patrols (none: every lot of the institution)."""
    user = UserFactory(**({"email": email} if email else {}))
    staff_role = StaffRole.objects.create(user=user, role=role, organization=organization)
    if lots and organization is not None:
        with within(organization):
            staff_role.lots.set(lots)
    if totp:
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now (freeze time around its use)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_code(secret: str = TOTP_SECRET) -> str:
    """Six digits that are not the code of this period."""
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
