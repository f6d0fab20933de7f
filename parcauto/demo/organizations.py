"""The three demo institutions, their portal host names and their legal texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcauto.tenants.models import LegalText, Organization, OrganizationHost
from parcauto.tenants.validators import validate_hostname

from .legal_texts import (
    PAD_AGREEMENT,
    PAYMENT_CONDITIONS,
    PRIVACY_POLICY,
    SUBSCRIPTION_CONDITIONS,
)
from .upsert import upsert

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "slug": "cem",
        "name_fr": "Cégep Édouard-Montpetit",
        "name_en": "Cégep Édouard-Montpetit",
        "primary_colour": "#8a1538",
        "gst_number": "123456789RT0001",
        "qst_number": "1234567890TQ0001",
        "privacy_officer_name": "Geneviève Lalonde",
        "privacy_officer_email": "vie-privee.cem@parcauto.localhost",
        "service_centre_phone": "450 555-0110",
        # Guide 000: "Il est important d'utiliser l'adresse courriel du Cégep".
        "signup_email_domain": "cegepmontpetit.ca",
    },
    {
        "slug": "ciusse-chus",
        "name_fr": "CIUSSS de l'Estrie - CHUS",
        "name_en": "CIUSSS de l'Estrie - CHUS",
        "primary_colour": "#00677f",
        "gst_number": "234567891RT0001",
        "qst_number": "2345678901TQ0001",
        "privacy_officer_name": "Martin Gagnon",
        "privacy_officer_email": "vie-privee.chus@parcauto.localhost",
        "service_centre_phone": "819 555-0120",
    },
    {
        "slug": "cisso",
        "name_fr": "CISSS de l'Outaouais",
        "name_en": "CISSS de l'Outaouais",
        "primary_colour": "#004b87",
        "gst_number": "345678912RT0001",
        "qst_number": "3456789012TQ0001",
        "privacy_officer_name": "Isabelle Charron",
        "privacy_officer_email": "vie-privee.cisso@parcauto.localhost",
        "service_centre_phone": "819 555-0130",
    },
]

# Version 1 of each text; a later version is a new row, never a rewrite of this one.
LEGAL_TEXTS_PUBLISHED_AT = dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.UTC)


def load_organizations(*, base_domain: str) -> dict[str, Organization]:
    organizations = {}
    for data in ORGANIZATIONS:
        values = {**data, "english_enabled": True, "is_active": True}
        slug = values.pop("slug")
        organization = upsert(Organization, lookup={"slug": slug}, values=values)
        _ensure_host(organization, f"{slug}.{base_domain}")
        _ensure_legal_texts(organization)
        organizations[slug] = organization
    return organizations


def _ensure_host(organization: Organization, hostname: str) -> None:
    validate_hostname(hostname)
    # Another primary host (e.g. an earlier base domain) stays primary: one per institution.
    other_primary = (
        OrganizationHost.objects.filter(organization=organization, is_primary=True)
        .exclude(hostname=hostname)
        .exists()
    )
    upsert(
        OrganizationHost,
        lookup={"hostname": hostname},
        values={"organization": organization, "is_primary": not other_primary},
    )


def _ensure_legal_texts(organization: Organization) -> None:
    context = {"name": organization.name_fr, "phone": organization.service_centre_phone}
    for kind, (body_fr, body_en) in (
        (LegalText.Kind.SUBSCRIPTION_CONDITIONS, SUBSCRIPTION_CONDITIONS),
        (LegalText.Kind.PAYMENT_CONDITIONS, PAYMENT_CONDITIONS),
        (LegalText.Kind.PAD_AGREEMENT, PAD_AGREEMENT),
        (LegalText.Kind.PRIVACY_POLICY, PRIVACY_POLICY),
    ):
        # get_or_create, not update: people consented to the text as it was.
        LegalText.objects.get_or_create(
            organization=organization,
            kind=kind,
            version=1,
            defaults={
                "body_fr": body_fr.format(**context),
                "body_en": body_en.format(**context),
                "published_at": LEGAL_TEXTS_PUBLISHED_AT,
            },
        )
