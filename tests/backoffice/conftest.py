from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.utils import timezone

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.notifications.models import OutboundEmail
from parcauto.tenants.models import LegalText, Organization
from parcauto.tenants.scoping import every_institution
from tests.backoffice.staff import staff_member

Role = StaffRole.Role


@dataclass(frozen=True)
class Records:
    """One of each back-office record for institution A (`chus`) and B (`cisso`)."""

    text_a: LegalText
    text_b: LegalText
    event_a: AuditEvent
    event_b: AuditEvent
    event_global: AuditEvent
    email_a: OutboundEmail
    email_b: OutboundEmail


def _email(organization: Organization | None, to: str) -> OutboundEmail:
    return OutboundEmail.objects.create(
        organization=organization,
        from_email="no-reply@parcauto.ca",
        to=to,
        subject="Validez votre adresse courriel",
        body_text="Bonjour",
    )


@pytest.fixture
def records(organization, other_organization) -> Records:
    # Not yet published, so that a manager may still change them (published ones are frozen).
    next_month = timezone.now() + dt.timedelta(days=30)
    return Records(
        text_a=LegalText.objects.create(
            organization=organization,
            kind=LegalText.Kind.SUBSCRIPTION_CONDITIONS,
            version=1,
            body_fr="Conditions du CHUS",
            published_at=next_month,
        ),
        text_b=LegalText.objects.create(
            organization=other_organization,
            kind=LegalText.Kind.SUBSCRIPTION_CONDITIONS,
            version=1,
            body_fr="Conditions du CISSSO",
            published_at=next_month,
        ),
        event_a=AuditEvent.objects.create(organization=organization, action="test.chus"),
        event_b=AuditEvent.objects.create(organization=other_organization, action="test.cisso"),
        event_global=AuditEvent.objects.create(organization=None, action="test.global"),
        email_a=_email(organization, "marie@chus.example"),
        email_b=_email(other_organization, "jean@cisso.example"),
    )


@pytest.fixture
def manager(organization) -> User:
    return staff_member(Role.MANAGER, organization, email="gestionnaire@chus.example")


@pytest.fixture
def agent(organization) -> User:
    return staff_member(Role.AGENT, organization, email="agent@chus.example")


@pytest.fixture
def operator(db) -> User:
    # The role, not the superuser flag: the role alone must open everything.
    return staff_member(Role.OPERATOR_ADMIN, email="admin@parcauto.ca")


def signed_in(user: User) -> Client:
    # The operator's host; each request starts in no scope, as on the server (conftest.py).
    client = Client()
    client.force_login(user)
    return client


def snapshot(model: type[models.Model]) -> list[dict[str, Any]]:
    """Every row of a table, to prove a refused request changed nothing."""
    with every_institution(reason="a refused request changes no institution's rows"):
        return list(model._default_manager.order_by("pk").values())


def admin_url(obj: models.Model, view: str = "change") -> str:
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/{view}/"


def changelist_rows(client: Client, path: str) -> set[Any]:
    response = client.get(path)
    assert response.status_code == 200, path
    return set(response.context["cl"].result_list)


# --- Admin form payloads ------------------------------------------------------------


def text_form(text: LegalText, **changes: object) -> dict[str, object]:
    local = timezone.localtime(text.published_at)
    data: dict[str, object] = {
        "organization": text.organization_id,
        "kind": text.kind,
        "version": text.version,
        "body_fr": text.body_fr,
        "body_en": text.body_en,
        "published_at_0": local.date().isoformat(),
        "published_at_1": local.time().replace(microsecond=0).isoformat(),
    }
    return data | changes


def new_text_form(organization: Organization) -> dict[str, object]:
    return {
        "organization": organization.pk,
        "kind": LegalText.Kind.PRIVACY_POLICY,
        "version": 1,
        "body_fr": "Politique de confidentialité",
        "body_en": "",
        "published_at_0": "2030-01-01",
        "published_at_1": "00:00:00",
    }


def organization_form(organization: Organization, **changes: object) -> dict[str, object]:
    host = organization.hosts.get()
    data: dict[str, object] = {
        "slug": organization.slug,
        "name_fr": organization.name_fr,
        "name_en": organization.name_en,
        "english_enabled": "on",
        "primary_colour": organization.primary_colour,
        "gst_number": organization.gst_number,
        "qst_number": organization.qst_number,
        "privacy_officer_name": organization.privacy_officer_name,
        "privacy_officer_email": organization.privacy_officer_email,
        "service_centre_phone": organization.service_centre_phone,
        "is_active": "on",
        "hosts-TOTAL_FORMS": "1",
        "hosts-INITIAL_FORMS": "1",
        "hosts-MIN_NUM_FORMS": "0",
        "hosts-MAX_NUM_FORMS": "1000",
        "hosts-0-id": host.pk,
        "hosts-0-organization": organization.pk,
        "hosts-0-hostname": host.hostname,
        "hosts-0-is_primary": "on",
    }
    return data | changes
