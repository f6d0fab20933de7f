"""The access pages of the back office: devices (managers), the test gate (staff), and the
gate passages on a contract's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from parcauto.access.decisions import access_decide
from parcauto.access.devices import device_authenticate
from parcauto.access.models import AccessEvent, AccessGrant, Device
from parcauto.accounts.models import StaffRole
from parcauto.audit.models import AuditEvent
from tests.access.grants import contract_of, device_of, grant_for, pass_token
from tests.access.pictures import qr_png
from tests.backoffice.conftest import signed_in, snapshot
from tests.backoffice.requests import NOW, offer_of, submitted_request
from tests.backoffice.staff import staff_member
from tests.pages import PDF
from tests.scoping import unscoped, within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

Role = StaffRole.Role
DEVICES = "/gestion/acces/appareils/"
SIMULATOR = "/gestion/acces/borne-de-test/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def offer(organization):
    return offer_of(organization)


@pytest.fixture
def manager(organization):
    return staff_member(Role.MANAGER, organization)


def _key_on(page: str) -> str:
    return re.search(r'id="device-key"[^>]*value="([^"]+)"', page)[1]


# --- Devices -------------------------------------------------------------------------------


def test_a_manager_registers_a_device_and_sees_its_key_once(offer, manager):
    client = signed_in(manager)
    response = client.post(
        f"{DEVICES}ajouter/",
        {"lot": offer.lot.pk, "name": "Barrière nord", "kind": "gate_reader", "lanes": "E1, S1"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = _key_on(response.content.decode())
    device = Device.objects.get()
    assert unscoped(device_authenticate)(key=key, now=NOW).pk == device.pk
    listing = client.get(DEVICES).content.decode()
    assert "Barrière nord" in listing and device.key_id in listing
    assert key.split(".")[1] not in listing
    assert AuditEvent.objects.filter(action="access.device_registered", actor=manager).exists()


def test_a_registration_with_errors_says_so_and_registers_nothing(offer, manager):
    device_of(offer.lot, name="Barrière nord", at=NOW)
    response = signed_in(manager).post(
        f"{DEVICES}ajouter/",
        {"lot": offer.lot.pk, "name": "Barrière nord", "kind": "gate_reader", "lanes": "<x>"},
    )
    assert response.status_code == 400
    assert Device.objects.count() == 1


def test_a_new_key_replaces_the_old_one_and_revoking_ends_it(offer, manager):
    issued = device_of(offer.lot, at=NOW)
    client = signed_in(manager)
    page = client.post(f"{DEVICES}{issued.device.pk}/nouvelle-cle/").content.decode()
    new_key = _key_on(page)
    assert new_key != issued.key
    assert "previous key no longer works" in page or "ancienne clé" in page
    response = client.post(f"{DEVICES}{issued.device.pk}/revoquer/")
    assert response.status_code == 302
    assert Device.objects.get().revoked_at == NOW
    after = client.post(f"{DEVICES}{issued.device.pk}/nouvelle-cle/")
    assert after.status_code == 302 and Device.objects.get().key_id == new_key[:16]


def test_agents_and_other_institutions_touch_no_device(offer, organization, other_organization):
    issued = device_of(offer.lot, at=NOW)
    before = snapshot(Device)
    agent = signed_in(staff_member(Role.AGENT, organization))
    stranger = signed_in(staff_member(Role.MANAGER, other_organization))
    assert agent.get(DEVICES).status_code == 403
    assert agent.post(f"{DEVICES}{issued.device.pk}/revoquer/").status_code == 403
    assert stranger.post(f"{DEVICES}{issued.device.pk}/revoquer/").status_code == 404
    assert stranger.post(f"{DEVICES}{issued.device.pk}/nouvelle-cle/").status_code == 404
    assert issued.device.name not in stranger.get(DEVICES).content.decode()
    assert snapshot(Device) == before


def test_a_manager_cannot_register_a_device_on_another_institutions_lot(
    offer, manager, other_organization
):
    theirs = offer_of(other_organization, lot_number="1534", product_number="7117")
    response = signed_in(manager).post(
        f"{DEVICES}ajouter/", {"lot": theirs.lot.pk, "name": "Intrus", "kind": "gate_reader"}
    )
    assert response.status_code == 400
    with within(other_organization):
        assert Device.objects.count() == 0


# --- The test gate -------------------------------------------------------------------------


@pytest.fixture
def pass_of(offer):
    contract = contract_of(offer, start=NOW.date() - dt.timedelta(days=5))
    token = pass_token()
    grant = grant_for(contract, token=token, contract_from=NOW - 5 * DAY)
    return token, grant


def _answer(response) -> tuple[str, str]:
    found = re.search(r'data-reason="(\w+)" data-allowed="(\w+)"', response.content.decode())
    return found[1], found[2]


def test_a_pasted_token_gets_the_gates_answer_and_nothing_is_recorded(offer, pass_of, organization):
    token, _grant = pass_of
    client = signed_in(staff_member(Role.AGENT, organization))
    response = client.post(SIMULATOR, {"lot": offer.lot.pk, "direction": "entry", "token": token})
    assert response.status_code == 200
    assert _answer(response) == ("allowed", "true")
    assert AccessEvent.objects.count() == 0
    audit = AuditEvent.objects.get(action="access.gate_simulated")
    assert audit.data["reason"] == "allowed" and token not in str(audit.data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_screenshot_of_the_qr_code_is_read_like_a_gate_reads_it(offer, pass_of, manager, fmt):
    token, grant = pass_of
    grant.state = AccessGrant.State.SUSPENDED
    grant.save()
    picture = SimpleUploadedFile("capture", qr_png(token, fmt=fmt))
    response = signed_in(manager).post(
        SIMULATOR, {"lot": offer.lot.pk, "direction": "entry", "screenshot": picture}
    )
    assert _answer(response) == ("suspended", "false")
    assert escape("Permis suspendu") in response.content.decode()


def test_a_plate_is_tried_with_its_province(offer, pass_of, manager):
    contract = pass_of[1].subscription
    grant_for(contract, plate="ABC123", contract_from=NOW - 5 * DAY, valid_from=NOW + DAY)
    response = signed_in(manager).post(
        SIMULATOR, {"lot": offer.lot.pk, "direction": "entry", "plate": "abc-123", "province": "QC"}
    )
    assert _answer(response) == ("vehicle_pending", "false")


@pytest.mark.parametrize(
    "sent",
    [
        {},
        {"token": "court"},
        {"token": "a" * 30, "plate": "ABC123", "province": "QC"},
        {"screenshot": SimpleUploadedFile("pass.png", PDF)},
        {"screenshot": SimpleUploadedFile("pass.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)},
        {"screenshot": "not a file"},
        {"plate": "A$B", "province": "QC"},
    ],
)
def test_what_cannot_be_a_pass_or_plate_is_said_on_the_form(offer, manager, sent):
    response = signed_in(manager).post(
        SIMULATOR, {"lot": offer.lot.pk, "direction": "entry", **sent}
    )
    assert response.status_code == 400
    assert "gate-answer" not in response.content.decode()


def test_a_picture_without_a_qr_code_is_said_so(offer, manager):
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    response = signed_in(manager).post(
        SIMULATOR,
        {
            "lot": offer.lot.pk,
            "direction": "entry",
            "screenshot": SimpleUploadedFile("blank.png", blank.getvalue()),
        },
    )
    assert response.status_code == 400
    assert "QR" in response.content.decode()


def test_the_test_gate_offers_only_the_staffs_lots(offer, other_organization, pass_of):
    theirs = offer_of(other_organization, lot_number="1534", product_number="7117")
    client = signed_in(staff_member(Role.MANAGER, other_organization))
    page = client.get(SIMULATOR).content.decode()
    assert f'value="{theirs.lot.pk}"' in page and f'value="{offer.lot.pk}"' not in page
    response = client.post(
        SIMULATOR, {"lot": offer.lot.pk, "direction": "entry", "token": pass_of[0]}
    )
    assert response.status_code == 400


# --- The contract's page -------------------------------------------------------------------


def test_the_contracts_page_shows_its_gate_passages(offer, organization):
    request = submitted_request(offer)
    token = pass_token()
    grant_for(request, token=token, contract_from=NOW - DAY)
    gate = device_of(offer.lot, name="Barrière sud", lanes="E1", at=NOW).device
    access_decide(
        device=gate,
        lot_id=offer.lot.pk,
        lane="E1",
        direction="entry",
        device_time=NOW,
        nonce="1",
        now=NOW,
        token=token,
    )
    page = (
        signed_in(staff_member(Role.AGENT, organization))
        .get(f"/gestion/demandes/{request.pk}/")
        .content.decode()
    )
    assert "Barrière sud · E1" in page
    assert "Permis valide" in page
