"""The `.pkpass`: what pass.json says, the manifest's digests, and a signature that
`openssl cms -verify` accepts against the development chain (as Wallet checks Apple's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest

from parcauto.wallets.apple.pkpass import pkpass
from parcauto.wallets.content import Lot, PassState
from parcauto.wallets.credentials import apple_credentials
from parcauto.wallets.devchain import dev_chain_ensure

from .content import SERIAL, TOKEN, content_made

AUTH = "a" * 64


def _files(**changes) -> dict[str, bytes]:
    archive = pkpass(content_made(**changes), apple_credentials(), authentication_token=AUTH)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _pass(**changes) -> dict:
    return json.loads(_files(**changes)["pass.json"])


def _fields(data: dict) -> dict[str, dict]:
    return {field["key"]: field for group in data["generic"].values() for field in group}


OPENSSL = shutil.which("openssl") or "openssl"


def _openssl(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own arguments
        [OPENSSL, *arguments], capture_output=True, text=True, check=False
    )


def _verify(directory, manifest: bytes, signature: bytes, root_ca) -> subprocess.CompletedProcess:
    """`openssl cms -verify`, as the issue says the pass must pass it."""
    (directory / "manifest.json").write_bytes(manifest)
    (directory / "signature").write_bytes(signature)
    return _openssl(
        "cms", "-verify", "-binary", "-inform", "DER",
        "-in", str(directory / "signature"),
        "-content", str(directory / "manifest.json"),
        "-CAfile", str(root_ca),
        "-purpose", "any",
        "-out", "/dev/null",
    )  # fmt: skip


def test_the_signature_verifies_against_the_development_chain(tmp_path, dev_files):
    files = _files()
    result = _verify(tmp_path, files["manifest.json"], files["signature"], dev_files.root_ca)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_a_manifest_changed_after_signing_fails_verification(tmp_path, dev_files):
    files = _files()
    tampered = files["manifest.json"].replace(b'"pass.json": "', b'"pass.json": "0')
    result = _verify(tmp_path, tampered, files["signature"], dev_files.root_ca)
    assert result.returncode != 0
    assert "Verification failure" in result.stderr


def test_another_root_does_not_vouch_for_the_pass(tmp_path, tmp_path_factory, dev_files):
    stranger = dev_chain_ensure(
        tmp_path_factory.mktemp("stranger") / "dev", pass_type_id="pass.x", team_id="X"
    )
    files = _files()
    result = _verify(tmp_path, files["manifest.json"], files["signature"], stranger.root_ca)
    assert result.returncode != 0


def test_the_signature_is_sha256_and_carries_the_wwdr_intermediate(tmp_path):
    (tmp_path / "signature").write_bytes(_files()["signature"])
    result = _openssl(
        "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(tmp_path / "signature")
    )
    printed = result.stdout
    assert "algorithm: sha256" in printed
    assert "Parcauto Development WWDR Intermediate" in printed
    assert "Pass Type ID: pass.ca.parcauto.dev" in printed
    assert "eContent: <ABSENT>" in printed  # detached: the manifest is not inside


def test_the_manifest_lists_every_other_file_with_its_sha1():
    files = _files()
    listed = json.loads(files["manifest.json"])
    assert set(listed) == set(files) - {"manifest.json", "signature"}
    for name, digest in listed.items():
        assert digest == hashlib.sha1(files[name]).hexdigest(), name  # noqa: S324
    assert {
        "pass.json",
        "icon.png",
        "icon@2x.png",
        "logo.png",
        "fr.lproj/pass.strings",
        "en.lproj/pass.strings",
    } <= set(listed)


def test_pass_json_names_the_pass_its_web_service_and_its_qr_code():
    data = _pass()
    assert data["formatVersion"] == 1
    assert data["passTypeIdentifier"] == "pass.ca.parcauto.dev"
    assert data["teamIdentifier"] == "PARCAUTODV"
    assert data["serialNumber"] == SERIAL
    assert data["webServiceURL"] == "https://chus.testserver/wallet/apple"
    assert data["authenticationToken"] == AUTH
    assert data["barcodes"] == [
        {"format": "PKBarcodeFormatQR", "message": TOKEN, "messageEncoding": "iso-8859-1"}
    ]
    assert data["organizationName"] == "CIUSSS de l'Estrie - CHUS"
    assert data["backgroundColor"] == "rgb(31, 78, 121)"
    assert data["foregroundColor"] == "rgb(255, 255, 255)"
    assert data["expirationDate"] == "2026-08-01T00:00:00-04:00"  # the day after the last
    assert "voided" not in data


def test_pass_json_shows_the_contract_holder_lots_validity_and_plates():
    fields = _fields(
        _pass(
            lots=(Lot(number="1085", name="P1"), Lot(number="1086", name="P2")),
            plates=("ABC123 (QC)", "XYZ789 (ON)"),
        )
    )
    assert fields["contract"]["value"] == "100234"
    assert fields["holder"]["value"] == "Marie Tremblay"
    assert fields["lots"]["value"] == "1085 – P1, 1086 – P2"  # noqa: RUF001
    assert fields["lots"]["label"] == "Stationnements"
    assert fields["plates"]["value"] == "ABC123 (QC), XYZ789 (ON)"
    assert fields["valid_from"]["value"] == "2026-06-01T00:00:00-04:00"
    assert fields["valid_until"]["value"] == "2026-07-31T00:00:00-04:00"
    assert fields["status"]["value"] == "Actif"


def test_an_open_ended_contract_has_no_expiration_date():
    data = _pass(valid_until=None)
    assert "expirationDate" not in data
    assert _fields(data)["valid_until"]["value"] == "Sans date de fin"


def test_a_suspended_pass_says_suspendu():
    fields = _fields(_pass(state=PassState.SUSPENDED))
    assert fields["status"]["value"] == "Suspendu"
    assert "suspendu" in fields["suspended"]["value"]


def test_a_voided_pass_is_voided():
    data = _pass(state=PassState.VOIDED)
    assert data["voided"] is True
    assert _fields(data)["status"]["value"] == "Annulé"


def test_english_strings_translate_every_french_text_of_the_pass():
    files = _files()
    english = files["en.lproj/pass.strings"].decode()
    assert '"Actif" = "Active";' in english
    assert '"Titulaire" = "Holder";' in english
    french = files["fr.lproj/pass.strings"].decode()
    assert '"Actif" = "Actif";' in french


def test_an_institution_in_french_only_ships_french_strings_only():
    content = content_made()
    institution = dataclasses.replace(content.institution, languages=("fr",))
    files = _files(institution=institution)
    assert "fr.lproj/pass.strings" in files
    assert "en.lproj/pass.strings" not in files


def test_the_institution_logo_is_used_when_pillow_reads_it():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 100), "red").save(buffer, format="PNG")
    content = content_made()
    institution = dataclasses.replace(content.institution, logo=buffer.getvalue())
    logo = Image.open(io.BytesIO(_files(institution=institution)["logo@2x.png"]))
    assert logo.size == (320, 100)
    assert logo.getpixel((160, 50))[:3] == (255, 0, 0)


@pytest.mark.parametrize("logo", [b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"\x89PNG broken"])
def test_a_logo_pillow_cannot_read_gives_the_parking_sign(logo):
    from PIL import Image

    content = content_made()
    institution = dataclasses.replace(content.institution, logo=logo)
    image = Image.open(io.BytesIO(_files(institution=institution)["logo.png"]))
    assert image.size == (160, 50)


def test_the_same_pass_gives_the_same_files_but_the_signature():
    first, second = _files(), _files()
    assert {k: v for k, v in first.items() if k != "signature"} == {
        k: v for k, v in second.items() if k != "signature"
    }


def test_dates_are_in_quebec_time_whatever_the_season():
    fields = _fields(_pass(valid_from=dt.date(2026, 1, 15), valid_until=dt.date(2026, 5, 31)))
    assert fields["valid_from"]["value"] == "2026-01-15T00:00:00-05:00"
