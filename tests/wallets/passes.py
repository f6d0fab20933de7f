"""Passes of active contracts, and their changes, made by access as in production: each
change that a wallet shows moves the revision and runs the wallets' task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.test import TestCase

from parcauto.access.models import AccessPass
from parcauto.access.services import access_sync, pass_regenerate
from parcauto.subscriptions.models import Subscription
from parcauto.vehicles.models import Vehicle
from parcauto.vehicles.services import VehicleData, vehicle_add, vehicle_update
from tests.backoffice.requests import NOW, offer_of, submitted_request
from tests.factories import ProfileFactory
from tests.offers import Offer
from tests.scoping import within_its_institution


@contextmanager
def committed(at: dt.datetime) -> Iterator[None]:
    """At `at` (the clock stopped there), and what runs after commit (the tasks access
    queues, which read the clock) runs as the block ends."""
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        yield


@within_its_institution
def active_contract(organization, *, offer: Offer | None = None, **kwargs: Any) -> Subscription:
    """An active contract of a new person with one vehicle, for `offer` (a new CHUS-like
    one by default)."""
    person = ProfileFactory(first_name="Marie", last_name="Tremblay").user
    data = VehicleData(
        plate=f"ABC{person.pk:03d}", jurisdiction="QC", make="Honda", model="Civic", year=2021,
        colour="Bleu",
    )  # fmt: skip
    vehicle_add(owner=person, data=data, actor=person, now=NOW - dt.timedelta(days=7))
    contract = submitted_request(offer or offer_of(organization), person=person, **kwargs)
    Subscription.objects.filter(pk=contract.pk).update(status=Subscription.Status.ACTIVE)
    contract.refresh_from_db()
    return contract


@within_its_institution
def pass_issued(contract: Subscription, *, at: dt.datetime = NOW) -> AccessPass:
    with committed(at):
        result = access_sync(subscription=contract, now=at)
    return AccessPass.objects.get(pk=result.pass_id)


@within_its_institution
def plate_changed(access_pass: AccessPass, *, plate: str, at: dt.datetime) -> AccessPass:
    """The holder changes their vehicle's plate (the pass shows it at once)."""
    vehicle = Vehicle.objects.get(owner_id=access_pass.subscription.person_id)
    data = VehicleData(**(vehicle.data() | {"plate": plate}))  # type: ignore[arg-type]
    with committed(at):
        vehicle_update(vehicle=vehicle, data=data, actor=None, now=at)
    access_pass.refresh_from_db()
    return access_pass


@within_its_institution
def contract_became(access_pass: AccessPass, *, status: str, at: dt.datetime) -> AccessPass:
    """The contract suspended, cancelled...: access voids or suspends the pass."""
    Subscription.objects.filter(pk=access_pass.subscription_id).update(status=status)
    with committed(at):
        access_sync(subscription=Subscription.objects.get(pk=access_pass.subscription_id), now=at)
    access_pass.refresh_from_db()
    return access_pass


@within_its_institution
def code_regenerated(access_pass: AccessPass, *, at: dt.datetime) -> AccessPass:
    """« Régénérer mon code » (a lost phone)."""
    with committed(at):
        return pass_regenerate(access_pass=access_pass, actor=None, now=at)
