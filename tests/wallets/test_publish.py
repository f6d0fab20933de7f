"""The task access queues after a change: one push per registered device and revision."""

from __future__ import annotations

import datetime as dt

import pytest

from parcauto.wallets.models import AppleRegistration, SandboxCall
from parcauto.wallets.tasks import wallet_pass_changed
from parcauto.wallets.tokens import authentication_digest, authentication_token
from tests.backoffice.requests import NOW
from tests.scoping import worker_call

from .passes import active_contract, pass_issued, plate_changed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def access_pass(organization):
    return pass_issued(active_contract(organization))


def _registered(access_pass, device: str, push_token: str) -> AppleRegistration:
    return AppleRegistration.objects.create(
        organization=access_pass.organization,
        access_pass=access_pass,
        device_library_identifier=device,
        push_token=push_token,
        auth_digest=authentication_digest(authentication_token(access_pass)),
        pushed_revision=access_pass.revision,
    )


def test_each_registered_device_is_pushed_once_per_change(access_pass):
    _registered(access_pass, "phone", "ab" * 32)
    _registered(access_pass, "watch", "cd" * 32)
    plate_changed(access_pass, plate="XYZ789", at=NOW + dt.timedelta(minutes=1))
    assert sorted(SandboxCall.objects.values_list("target", flat=True)) == ["ab" * 32, "cd" * 32]
    again = worker_call(
        wallet_pass_changed, organization_id=access_pass.organization_id, pass_id=access_pass.pk
    )
    assert again == {"pushed": 0, "forgotten": 0, "google": ""}
    assert SandboxCall.objects.count() == 2
    assert set(AppleRegistration.objects.values_list("pushed_revision", flat=True)) == {2}


def test_a_device_token_apns_calls_gone_is_forgotten(access_pass):
    _registered(access_pass, "phone", "not-a-token")
    _registered(access_pass, "watch", "cd" * 32)
    plate_changed(access_pass, plate="XYZ789", at=NOW + dt.timedelta(minutes=1))
    assert list(AppleRegistration.objects.values_list("device_library_identifier", flat=True)) == [
        "watch"
    ]


def test_a_pass_deleted_before_the_task_runs_is_nothing_to_do(access_pass):
    organization_id, pk = access_pass.organization_id, access_pass.pk
    access_pass.delete()
    assert worker_call(wallet_pass_changed, organization_id=organization_id, pass_id=pk) == {}


def test_another_institution_s_pass_id_is_not_found_in_this_one(access_pass, other_organization):
    _registered(access_pass, "phone", "ab" * 32)
    result = worker_call(
        wallet_pass_changed, organization_id=other_organization.pk, pass_id=access_pass.pk
    )
    assert result == {}
    assert not SandboxCall.objects.exists()
