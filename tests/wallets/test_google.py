"""Google Wallet: the save link's JWT (verified with the service account's public key),
and the object kept up to date through the REST API's sandbox."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import jwt
import pytest

from parcauto.wallets.content import PassState
from parcauto.wallets.credentials import google_credentials
from parcauto.wallets.google.objects import generic_object
from parcauto.wallets.google.savelink import SAVE_URL, save_jwt
from parcauto.wallets.models import GoogleWalletObject, SandboxCall
from parcauto.wallets.services import google_save_link
from parcauto.wallets.tasks import wallet_pass_changed
from tests.backoffice.requests import NOW
from tests.scoping import worker_call

from .content import SERIAL, TOKEN, content_made
from .passes import active_contract, contract_became, pass_issued, plate_changed

ISSUER = "3388000000022222222"


def _claims(content=None) -> dict:
    credentials = google_credentials()
    token = save_jwt(
        content or content_made(), credentials, origins=["https://chus.testserver"], now=NOW
    )
    return jwt.decode(
        token,
        credentials.private_key.public_key(),
        algorithms=["RS256"],
        audience="google",
    )


def test_the_save_jwt_verifies_with_the_public_key_and_says_what_google_expects(dev_files):
    claims = _claims()
    account = json.loads(dev_files.google_service_account.read_text())
    assert claims["iss"] == account["client_email"]
    assert claims["aud"] == "google"
    assert claims["typ"] == "savetowallet"
    assert claims["origins"] == ["https://chus.testserver"]
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["payload"]["genericClasses"] == [{"id": f"{ISSUER}.parcauto-chus"}]


def test_a_jwt_signed_by_another_key_does_not_verify():
    from cryptography.hazmat.primitives.asymmetric import rsa

    credentials = google_credentials()
    other = dataclasses.replace(
        credentials, private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    token = save_jwt(content_made(), other, origins=[], now=NOW)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, credentials.private_key.public_key(), algorithms=["RS256"], audience="google"
        )


def test_the_object_carries_the_qr_token_contract_and_validity():
    (obj,) = _claims()["payload"]["genericObjects"]
    assert obj["id"] == f"{ISSUER}.{SERIAL}"
    assert obj["classId"] == f"{ISSUER}.parcauto-chus"
    assert obj["state"] == "ACTIVE"
    assert obj["barcode"] == {"type": "QR_CODE", "value": TOKEN, "alternateText": "100234"}
    assert obj["cardTitle"]["defaultValue"] == {
        "language": "fr-CA",
        "value": "CIUSSS de l'Estrie - CHUS",
    }
    assert obj["header"]["defaultValue"]["value"] == "Marie Tremblay"
    assert obj["hexBackgroundColor"] == "#1f4e79"
    assert obj["logo"]["sourceUri"]["uri"] == "https://chus.testserver/wallet/logo.png"
    assert obj["validTimeInterval"] == {
        "start": {"date": "2026-06-01T00:00:00-04:00"},
        "end": {"date": "2026-08-01T00:00:00-04:00"},
    }
    modules = {m["id"]: m for m in obj["textModulesData"]}
    assert modules["lots"]["body"] == "1085 – Stationnement P1"  # noqa: RUF001
    assert modules["plates"]["body"] == "ABC123 (QC)"
    assert modules["validity"]["body"] == "1er juin 2026 → 31 juillet 2026"
    assert modules["validity"]["localizedBody"]["translatedValues"] == [
        {"language": "en-CA", "value": "June 1, 2026 → July 31, 2026"}
    ]
    assert modules["lots"]["localizedHeader"]["translatedValues"] == [
        {"language": "en-CA", "value": "Parking lot"}
    ]


@pytest.mark.parametrize(
    ("state", "google_state", "shown"),
    [(PassState.SUSPENDED, "INACTIVE", "Suspendu"), (PassState.VOIDED, "EXPIRED", "Annulé")],
)
def test_a_suspended_or_voided_pass_says_so(state, google_state, shown):
    obj = generic_object(content_made(state=state), google_credentials())
    assert obj["state"] == google_state
    assert obj["textModulesData"][0]["body"] == shown


def test_an_open_ended_contract_has_no_end():
    obj = generic_object(content_made(valid_until=None), google_credentials())
    assert "end" not in obj["validTimeInterval"]


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
class TestObjectUpdates:
    @pytest.fixture
    def linked(self, organization):
        access_pass = pass_issued(active_contract(organization))
        url = google_save_link(
            access_pass=access_pass, origins=["https://chus.testserver"], now=NOW
        )
        assert url.startswith(SAVE_URL)
        return access_pass

    def test_a_change_patches_the_saved_object_once(self, linked):
        later = NOW + dt.timedelta(hours=1)
        contract_became(linked, status="suspended", at=later)
        (call,) = SandboxCall.objects.filter(service="google")
        assert call.method == "PATCH"
        assert call.target == f"{ISSUER}.{linked.serial_number}"
        assert call.body["state"] == "INACTIVE"
        saved = GoogleWalletObject.objects.get()
        assert (saved.sent_revision, saved.sent_at) == (linked.revision, later)
        worker_call(wallet_pass_changed, organization_id=linked.organization_id, pass_id=linked.pk)
        assert SandboxCall.objects.filter(service="google").count() == 1  # already sent

    def test_voiding_expires_the_object(self, linked):
        contract_became(linked, status="cancelled", at=NOW + dt.timedelta(days=1))
        (call,) = SandboxCall.objects.filter(service="google")
        assert call.body["state"] == "EXPIRED"

    def test_a_pass_never_linked_patches_nothing(self, organization):
        access_pass = pass_issued(active_contract(organization))
        plate_changed(access_pass, plate="XYZ789", at=NOW + dt.timedelta(hours=1))
        assert not SandboxCall.objects.exists()
