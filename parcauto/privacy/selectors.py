"""Reads of the privacy app: an institution's retention settings, a person's downloads."""

from __future__ import annotations

import datetime as dt

from parcauto.accounts.models import User
from parcauto.tenants.models import LegalText, Organization

from .models import DataExport, PrivacySettings


def privacy_settings_for(organization: Organization) -> PrivacySettings:
    """The institution's retention settings; the defaults (unsaved) when it has set none."""
    found = PrivacySettings.objects.filter(organization=organization).first()
    return found if found is not None else PrivacySettings(organization=organization)


def data_export_latest(*, person: User) -> DataExport | None:
    """The person's latest download, whatever its state (the "Mes données" page shows it)."""
    return DataExport.objects.filter(person=person).order_by("-created_at", "-pk").first()


def data_export_get_for_person(*, person: User, pk: int) -> DataExport | None:
    return DataExport.objects.filter(person=person, pk=pk).first()


def privacy_policy_in_force(*, organization: Organization, now: dt.datetime) -> LegalText | None:
    """The latest published version of the institution's privacy policy."""
    return (
        LegalText.objects.filter(
            organization=organization,
            kind=LegalText.Kind.PRIVACY_POLICY,
            published_at__lte=now,
        )
        .order_by("-version")
        .first()
    )
