"""Loads every demo module in one transaction and says what it made."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from parcauto.tenants.scoping import every_institution

from .catalog import VIP_ACCESS_CODE, load_catalog
from .enforcement import load_enforcement
from .faq import load_faq
from .organizations import load_organizations
from .payments import load_payments
from .people import DEMO_PASSWORD, load_people


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str  # StaffRole.Role value, or "customer"
    organization_slug: str | None


@dataclass(frozen=True)
class DemoResult:
    portals: list[tuple[str, str, str]]  # (slug, name, host name)
    accounts: list[DemoAccount] = field(default_factory=list)
    # (institution slug, product number) -> the code that shows a hidden product
    access_codes: dict[tuple[str, str], str] = field(default_factory=dict)


def load_demo_data(*, base_domain: str) -> DemoResult:
    """Create or restore the demo; a second run writes nothing and duplicates nothing."""
    # The demo fills every portal in one transaction, each module all of them at once;
    # it runs only in development (load_demo_data refuses to with DEBUG off).
    with every_institution(reason="the demo data of every portal"), transaction.atomic():
        organizations = load_organizations(base_domain=base_domain)
        load_catalog(organizations)
        load_payments(organizations)
        people = load_people(organizations)
        load_faq(organizations)
        load_enforcement(organizations)
    return DemoResult(
        portals=[
            (slug, organization.name_fr, f"{slug}.{base_domain}")
            for slug, organization in organizations.items()
        ],
        accounts=[
            DemoAccount(
                email=user.email,
                password=DEMO_PASSWORD,
                role=member.role if member else "customer",
                organization_slug=member.organization_slug if member else None,
            )
            for user, member in people
        ],
        access_codes={("cisso", "7116"): VIP_ACCESS_CODE},
    )
