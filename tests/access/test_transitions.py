"""Every change of a contract or of its vehicles rewrites its pass, after commit, through
the task the lower layers queue by name; each transition is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task

from parcauto.access import tasks
from parcauto.access.models import AccessGrant, AccessPass
from parcauto.audit.models import AuditEvent
from parcauto.catalog.models import PermitProduct
from parcauto.core.tasks import task_named
from parcauto.notifications.models import OutboundEmail
from parcauto.sales.services import (
    subscription_approve,
    subscription_cancel_pending,
    subscription_refuse,
)
from parcauto.subscriptions.access_refresh import ACCESS_SYNC_TASK
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services.activation import subscriptions_activate_due
from parcauto.subscriptions.services.ending import subscriptions_end_due
from parcauto.vehicles.models import Vehicle
from parcauto.vehicles.services import ACCESS_SYNC_PERSON_TASK, VehicleData, vehicle_update
from tests.backoffice.requests import NOW, TODAY, offer_of, submitted_request
from tests.backoffice.staff import staff_member

pytestmark = pytest.mark.django_db

Status = Subscription.Status
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def offer(organization):
    return offer_of(organization)


@pytest.fixture
def manager(organization):
    from parcauto.accounts.models import StaffRole

    return staff_member(StaffRole.Role.MANAGER, organization, email="gestion@chus.example")


def the_pass(subscription) -> AccessPass:
    return AccessPass.objects.get(subscription=subscription)


def test_the_names_the_lower_layers_queue_are_tasks():
    for name in (ACCESS_SYNC_TASK, ACCESS_SYNC_PERSON_TASK, tasks.SYNC_CONTRACT, tasks.SYNC_PERSON):
        assert isinstance(task_named(name), Task)
    with pytest.raises(ImproperlyConfigured):
        task_named("parcauto.access.tasks.no_such_task")


def test_approval_of_a_contract_that_starts_today_issues_its_pass_and_its_email(
    offer, manager, django_capture_on_commit_callbacks
):
    request = submitted_request(offer)
    assert not AccessPass.objects.exists()  # awaiting approval: no pass yet

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        subscription_approve(subscription=request, actor=manager, now=NOW)

    access_pass = the_pass(request)
    assert access_pass.state == AccessPass.State.ACTIVE
    assert access_pass.announced_for_id == request.pk
    assert AccessGrant.objects.filter(subscription=request, kind="pass").count() == 1
    [email] = OutboundEmail.objects.filter(template="access_pass")
    assert email.to == request.person.email
    assert "Votre carte d'accès virtuelle SPAQ" in email.subject


def test_an_approved_contract_shows_its_pass_and_gets_the_email_when_its_day_comes(
    offer, manager, django_capture_on_commit_callbacks
):
    start = TODAY + dt.timedelta(days=10)
    request = submitted_request(offer, start=start)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        subscription_approve(subscription=request, actor=manager, now=NOW)
    assert the_pass(request).state == AccessPass.State.ACTIVE  # shown before its first day
    assert not OutboundEmail.objects.filter(template="access_pass").exists()

    day = NOW + dt.timedelta(days=10)
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert subscriptions_activate_due(now=day) == 1

    assert OutboundEmail.objects.filter(template="access_pass").count() == 1
    with time_machine.travel(day + HOUR, tick=False):
        assert subscriptions_activate_due(now=day + HOUR) == 0
    assert OutboundEmail.objects.filter(template="access_pass").count() == 1


@pytest.mark.parametrize("decision", ["refuse", "withdraw"])
def test_a_refused_or_withdrawn_request_never_gets_a_pass(
    offer, manager, decision, django_capture_on_commit_callbacks
):
    request = submitted_request(offer)
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "refuse":
            subscription_refuse(subscription=request, actor=manager, reason="Complet", now=NOW)
        else:
            subscription_cancel_pending(subscription=request, actor=request.person, now=NOW)
    assert not AccessPass.objects.exists()
    assert not AccessGrant.objects.exists()


def test_the_end_of_term_voids_the_pass_and_gives_the_unit_back(
    offer, manager, django_capture_on_commit_callbacks
):
    request = submitted_request(offer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        subscription_approve(subscription=request, actor=manager, now=NOW)
    request.refresh_from_db()
    taken = PermitProduct.objects.get(pk=offer.product.pk).units_taken
    last_day = request.end_date

    on_last_day = NOW.replace(year=last_day.year, month=last_day.month, day=last_day.day)
    with time_machine.travel(on_last_day, tick=False):
        assert subscriptions_end_due(now=on_last_day) == 0  # its last day still counts
    after = on_last_day + dt.timedelta(days=1)
    with time_machine.travel(after, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert subscriptions_end_due(now=after) == 1

    request.refresh_from_db()
    assert (request.status, request.holds_unit) == (Status.ENDED, False)
    assert PermitProduct.objects.get(pk=offer.product.pk).units_taken == taken - 1
    assert the_pass(request).state == AccessPass.State.VOIDED
    assert set(
        AccessGrant.objects.filter(subscription=request).values_list("state", flat=True)
    ) == {AccessGrant.State.CANCELLED}
    event = AuditEvent.objects.get(action="subscription.ended")
    assert event.data["previous_status"] == Status.ACTIVE


def test_a_vehicle_change_rewrites_the_plates_of_the_persons_contracts(
    offer, manager, django_capture_on_commit_callbacks
):
    request = submitted_request(offer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        subscription_approve(subscription=request, actor=manager, now=NOW)
    vehicle = Vehicle.objects.get(owner=request.person)
    changed_at = NOW + dt.timedelta(days=3)

    with (
        time_machine.travel(changed_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        vehicle_update(
            vehicle=vehicle,
            data=VehicleData(
                plate="NEW999",
                jurisdiction="QC",
                make="Acura",
                model="NSX",
                year=2021,
                colour="Noir",
            ),
            actor=request.person,
            now=changed_at,
        )

    new = AccessGrant.objects.get(subscription=request, credential="NEW999")
    assert new.valid_from == changed_at + 24 * HOUR
    assert new.state == AccessGrant.State.VALID


def test_a_new_name_on_the_profile_updates_the_card_in_place(
    offer, manager, django_capture_on_commit_callbacks
):
    from dataclasses import asdict, replace

    from parcauto.accounts.profile_services import ProfileData, profile_save

    request = submitted_request(offer)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        subscription_approve(subscription=request, actor=manager, now=NOW)
    revision = the_pass(request).revision
    profile = request.person.profile
    data = ProfileData(**{f: getattr(profile, f) for f in ProfileData.__dataclass_fields__})
    assert asdict(data)["last_name"] == profile.last_name

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        profile_save(
            user=request.person,
            data=replace(data, last_name="Tremblay-Roy"),
            language="fr",
            organization=offer.organization,
        )

    assert the_pass(request).revision == revision + 1


def test_a_permit_sold_without_approval_gets_its_card_after_the_submission(
    offer, django_capture_on_commit_callbacks
):
    PermitProduct.objects.filter(pk=offer.product.pk).update(approval_required=False)
    offer.product.refresh_from_db()

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        request = submitted_request(offer, at=NOW)

    assert request.status == Status.ACTIVE
    assert the_pass(request).state == AccessPass.State.ACTIVE
    assert OutboundEmail.objects.filter(template="access_pass").count() == 1


def test_the_backfill_command_issues_the_cards_of_contracts_active_before_them(
    offer, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    from tests.scoping import unscoped

    request = submitted_request(offer)
    Subscription.objects.filter(pk=request.pk).update(status=Status.ACTIVE)
    out = StringIO()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        unscoped(call_command)("access_sync_all", "--no-email", stdout=out)
    assert "1 contracts synced" in out.getvalue()
    assert the_pass(request).announced_for_id == request.pk
    assert not OutboundEmail.objects.filter(template="access_pass").exists()
    with time_machine.travel(NOW, tick=False):
        unscoped(call_command)("access_sync_all", stdout=out)
    assert out.getvalue().endswith("1 contracts synced, 0 grants written\n")
