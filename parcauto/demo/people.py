"""Demo accounts: one customer with a complete profile, one staff member per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress

from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.tenants.models import Organization

from .upsert import upsert

# Known on purpose: the command refuses to run with DEBUG off unless forced.
DEMO_PASSWORD = "Demo-Parcauto-2026!"  # noqa: S105

CUSTOMER_EMAIL = "demo@parcauto.localhost"
CUSTOMER_PROFILE: dict[str, Any] = {
    "gender": "woman",
    "first_name": "Camille",
    "last_name": "Demers",
    "address_line1": "1345 rue King Ouest",
    "apartment": "",
    "address_line2": "",
    "city": "Sherbrooke",
    "province": "QC",
    "postal_code": "J1H 1R4",
    "mobile_phone": "+18195550142",
}


@dataclass(frozen=True)
class StaffMember:
    email: str
    first_name: str
    last_name: str
    role: str
    organization_slug: str | None  # None: every institution (operator admin)


STAFF = [
    StaffMember("admin@parcauto.localhost", "Olivier", "Roy", StaffRole.Role.OPERATOR_ADMIN, None),
    StaffMember(
        "gestion.chus@parcauto.localhost",
        "Nathalie",
        "Bergeron",
        StaffRole.Role.MANAGER,
        "ciusse-chus",
    ),
    StaffMember(
        "agent.cisso@parcauto.localhost", "Karim", "Ouellet", StaffRole.Role.AGENT, "cisso"
    ),
    # Checks plates and issues claim notices in the CHUS lots, nothing else.
    StaffMember(
        "patrouille.chus@parcauto.localhost",
        "Sophie",
        "Gagnon",
        StaffRole.Role.PATROL,
        "ciusse-chus",
    ),
]
PATROL_EMAIL = "patrouille.chus@parcauto.localhost"


def ensure_account(*, email: str, first_name: str, last_name: str, is_staff: bool) -> User:
    """The account, with the demo password and a verified primary address."""
    if not User.objects.filter(email=email).exists():
        User.objects.create_user(email, DEMO_PASSWORD)
    user = upsert(
        User,
        lookup={"email": email},
        values={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": is_staff,
            "is_active": True,
            "language": "fr",
        },
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    upsert(
        EmailAddress,
        lookup={"user": user, "email": email},
        values={"primary": True, "verified": True},
    )
    return user


def load_people(organizations: dict[str, Organization]) -> list[tuple[User, StaffMember | None]]:
    customer = ensure_account(
        email=CUSTOMER_EMAIL,
        first_name=CUSTOMER_PROFILE["first_name"],
        last_name=CUSTOMER_PROFILE["last_name"],
        is_staff=False,
    )
    upsert(Profile, lookup={"user": customer}, values=CUSTOMER_PROFILE)
    people: list[tuple[User, StaffMember | None]] = [(customer, None)]
    for member in STAFF:
        user = ensure_account(
            email=member.email,
            first_name=member.first_name,
            last_name=member.last_name,
            is_staff=True,
        )
        organization = organizations[member.organization_slug] if member.organization_slug else None
        StaffRole.objects.get_or_create(user=user, organization=organization, role=member.role)
        people.append((user, member))
    return people
