"""Tasks that keep passes and grants true; the layers below `access` queue them by name
(`core.tasks.enqueue_by_name`), as they may not import this app."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.accounts.models import User
from parcauto.core.clock import now
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.scoping import institutions_each

from .services import access_sync
from .states import PASS_STATUSES

# The names the layers below queue (checked by tests/access/test_tasks.py).
SYNC_CONTRACT = "parcauto.access.tasks.access_sync_contract"
SYNC_PERSON = "parcauto.access.tasks.access_sync_person"


@task()
def access_sync_contract(*, organization_id: int, subscription_id: int) -> int:
    """The contract's pass and grants, made true again; how many grants changed."""
    with scope(organization=organization_id):
        subscription = Subscription.objects.filter(pk=subscription_id).first()
        if subscription is None:
            return 0
        return access_sync(subscription=subscription, now=now()).grants_changed


@task()
def access_sync_person(*, person_id: int) -> int:
    """A person's vehicles changed: the plates of their contracts, on every portal.

    Vehicles belong to the account, contracts to institutions: each institution in its
    own scope, one at a time.
    """
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        return 0
    changed = 0
    moment = now()
    for organization in institutions_each():
        with scope(organization=organization):
            contracts = Subscription.objects.filter(
                organization=organization, person=person, status__in=PASS_STATUSES
            )
            for subscription in contracts:
                changed += access_sync(subscription=subscription, now=moment).grants_changed
    return changed
