"""A holder's pass: "Régénérer mon code" revokes the old token at once; the next term
takes the same pass over (guide 000: renewed on January 15, nothing to download)."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.access.errors import PassVoided
from parcauto.access.models import AccessGrant, AccessPass
from parcauto.access.selectors import pass_card, pass_for_subscription
from parcauto.access.services import access_sync, pass_regenerate
from parcauto.access.tokens import token_unseal
from parcauto.audit.models import AuditEvent
from parcauto.subscriptions.models import Subscription
from parcauto.subscriptions.services.activation import subscriptions_activate_due
from parcauto.subscriptions.services.ending import subscriptions_end_due
from tests.access.conftest import AUTUMN, WINTER, add_vehicle, at, contract, midnight

pytestmark = pytest.mark.django_db

Status = Subscription.Status
Kind = AccessGrant.Kind
NOW = at(dt.date(2026, 9, 2))


def pass_grants(subscription, state=None):
    grants = AccessGrant.objects.filter(subscription=subscription, kind=Kind.PASS)
    return list(grants.filter(state=state) if state else grants)


def test_regenerating_revokes_the_old_token_at_once(product, person):
    add_vehicle(person, plate="ABC123", now=at(dt.date(2026, 7, 1)))
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    before = AccessPass.objects.get(subscription=subscription)
    old_token = token_unseal(before.token_sealed)
    plate = AccessGrant.objects.get(subscription=subscription, kind=Kind.PLATE)

    after = pass_regenerate(access_pass=before, actor=person, now=NOW)

    assert token_unseal(after.token_sealed) != old_token
    assert after.token_hash != before.token_hash
    assert (after.serial_number, after.revision) == (before.serial_number, before.revision + 1)
    [revoked] = pass_grants(subscription, AccessGrant.State.REVOKED)
    assert revoked.credential == before.token_hash
    [valid] = pass_grants(subscription, AccessGrant.State.VALID)
    assert valid.credential == after.token_hash
    assert valid.revision > revoked.revision - 1 and revoked.revision > plate.revision
    # The plate did not change: same row, same revision.
    assert AccessGrant.objects.get(pk=plate.pk).revision == plate.revision
    event = AuditEvent.objects.get(action="access.pass_regenerated")
    assert event.actor == person and event.target_id == str(subscription.pk)


def test_a_voided_pass_gets_no_new_code(product, person):
    subscription = contract(product, person)
    access_sync(subscription=subscription, now=NOW)
    Subscription.objects.filter(pk=subscription.pk).update(status=Status.CANCELLED)
    access_sync(subscription=subscription, now=NOW)
    access_pass = AccessPass.objects.get(subscription=subscription)

    with pytest.raises(PassVoided):
        pass_regenerate(access_pass=access_pass, actor=person, now=NOW)
    assert AccessPass.objects.get(pk=access_pass.pk).token_hash == access_pass.token_hash


def test_the_winter_term_takes_over_the_autumn_pass_on_its_first_day(product, person):
    autumn = contract(product, person)
    access_sync(subscription=autumn, now=NOW)
    access_pass = AccessPass.objects.get(subscription=autumn)
    winter = contract(product, person, start=WINTER[0], end=WINTER[1], status=Status.APPROVED)

    # Approved in November: the same pass, not a second one; the winter grants use its
    # token from January 15, while the pass still shows the autumn term.
    november = at(dt.date(2026, 11, 20))
    access_sync(subscription=winter, now=november)
    assert AccessPass.objects.count() == 1
    waiting = AccessPass.objects.get(pk=access_pass.pk)
    assert (waiting.subscription_id, waiting.successor_id) == (autumn.pk, winter.pk)
    [winter_pass_grant] = pass_grants(winter)
    assert winter_pass_grant.credential == access_pass.token_hash
    assert winter_pass_grant.valid_from == midnight(WINTER[0])
    assert pass_for_subscription(subscription=winter) == waiting
    card = pass_card(access_pass=waiting, contract=winter, now=november)
    assert card.renewed_from_previous_term and card.valid_from == WINTER[0]

    # The autumn term ends: the pass goes to the winter contract instead of being voided.
    december = at(AUTUMN[1] + dt.timedelta(days=1))
    assert subscriptions_end_due(now=december) == 1
    access_sync(subscription=autumn, now=december)  # as its queued task does
    renewed = AccessPass.objects.get(pk=access_pass.pk)
    assert (renewed.subscription_id, renewed.successor_id) == (winter.pk, None)
    assert renewed.state == AccessPass.State.ACTIVE
    assert renewed.token_hash == access_pass.token_hash  # the same QR code
    assert renewed.serial_number == access_pass.serial_number  # the same wallet pass
    assert renewed.revision > access_pass.revision  # updated in place
    assert {g.state for g in AccessGrant.objects.filter(subscription=autumn)} == {
        AccessGrant.State.CANCELLED
    }
    assert AuditEvent.objects.filter(action="access.pass_renewed").count() == 1

    # January 15: the winter term starts; nothing new to issue.
    january = at(WINTER[0], 6)
    assert subscriptions_activate_due(now=january) == 1
    access_sync(subscription=winter, now=january)
    assert AccessPass.objects.count() == 1
    assert AccessPass.objects.get(pk=access_pass.pk).subscription_id == winter.pk


def test_a_refused_next_term_leaves_the_pass_where_it_is(product, person):
    autumn = contract(product, person)
    access_sync(subscription=autumn, now=NOW)
    winter = contract(product, person, start=WINTER[0], end=WINTER[1], status=Status.APPROVED)
    access_sync(subscription=winter, now=NOW)
    Subscription.objects.filter(pk=winter.pk).update(status=Status.CANCELLED)

    access_sync(subscription=winter, now=NOW)

    access_pass = AccessPass.objects.get(subscription=autumn)
    assert access_pass.successor_id is None
    assert {g.state for g in AccessGrant.objects.filter(subscription=winter)} == {
        AccessGrant.State.CANCELLED
    }


def test_a_contract_long_after_the_last_one_gets_a_new_pass(product, person):
    autumn = contract(product, person)
    access_sync(subscription=autumn, now=NOW)
    later = contract(
        product,
        person,
        start=dt.date(2027, 9, 1),
        end=dt.date(2027, 12, 20),
        status=Status.APPROVED,
    )
    access_sync(subscription=later, now=NOW)
    assert AccessPass.objects.count() == 2
