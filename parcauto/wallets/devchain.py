"""Development credentials, made on first use: a stand-in for Apple's and Google's.

Apple signs a Pass Type ID certificate with its WWDR intermediate, itself signed by the
Apple Root CA. The development chain has the same shape (a root, an intermediate, a pass
certificate whose UID is the pass type id and whose OU is the team id), so the signing
code and `openssl cms -verify` treat it exactly as they treat the real one. Google's
service-account key file is imitated field for field. Nothing made here is trusted by a
real phone: the README says how to install the operator's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALID_DAYS = 3650
DEV_SERVICE_ACCOUNT = "parcauto-dev@parcauto-dev.iam.gserviceaccount.com"


@dataclass(frozen=True)
class DevFiles:
    """Where the development chain and key live."""

    directory: Path

    @property
    def root_ca(self) -> Path:
        return self.directory / "root-ca.pem"

    @property
    def wwdr(self) -> Path:
        return self.directory / "wwdr.pem"

    @property
    def certificate(self) -> Path:
        return self.directory / "pass-certificate.pem"

    @property
    def key(self) -> Path:
        return self.directory / "pass-key.pem"

    @property
    def google_service_account(self) -> Path:
        return self.directory / "google-service-account.json"

    def complete(self) -> bool:
        return all(
            path.is_file()
            for path in (
                self.root_ca,
                self.wwdr,
                self.certificate,
                self.key,
                self.google_service_account,
            )
        )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _certificate(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey,
    signing_key: rsa.RSAPrivateKey,
    ca: bool,
    now: dt.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
        builder = builder.add_extension(usage, critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(directory: Path, *, pass_type_id: str, team_id: str, now: dt.datetime) -> None:
    root_key, wwdr_key, pass_key, google_key = _key(), _key(), _key(), _key()
    root_name = _name(
        (NameOID.COMMON_NAME, "Parcauto Development Wallet Root CA"),
        (NameOID.ORGANIZATION_NAME, "Parcauto (development)"),
    )
    wwdr_name = _name(
        (NameOID.COMMON_NAME, "Parcauto Development WWDR Intermediate"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "G4"),
        (NameOID.ORGANIZATION_NAME, "Parcauto (development)"),
    )
    pass_name = _name(
        (NameOID.USER_ID, pass_type_id),
        (NameOID.COMMON_NAME, f"Pass Type ID: {pass_type_id}"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, team_id),
        (NameOID.ORGANIZATION_NAME, "Parcauto (development)"),
        (NameOID.COUNTRY_NAME, "CA"),
    )
    root = _certificate(
        subject=root_name,
        issuer=root_name,
        public_key=root_key.public_key(),
        signing_key=root_key,
        ca=True,
        now=now,
    )
    wwdr = _certificate(
        subject=wwdr_name,
        issuer=root_name,
        public_key=wwdr_key.public_key(),
        signing_key=root_key,
        ca=True,
        now=now,
    )
    certificate = _certificate(
        subject=pass_name,
        issuer=wwdr_name,
        public_key=pass_key.public_key(),
        signing_key=wwdr_key,
        ca=False,
        now=now,
    )
    files = DevFiles(directory)
    files.root_ca.write_bytes(_pem(root))
    files.wwdr.write_bytes(_pem(wwdr))
    files.certificate.write_bytes(_pem(certificate))
    files.key.write_bytes(_private_pem(pass_key))
    account = {
        "type": "service_account",
        "project_id": "parcauto-dev",
        "private_key_id": secrets.token_hex(20),
        "private_key": _private_pem(google_key).decode(),
        "client_email": DEV_SERVICE_ACCOUNT,
        "client_id": str(secrets.randbelow(10**20)),
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    files.google_service_account.write_text(json.dumps(account, indent=2))
    for path in directory.iterdir():
        path.chmod(0o600)


def dev_chain_ensure(
    directory: Path, *, pass_type_id: str, team_id: str, replace: bool = False
) -> DevFiles:
    """The development chain under `directory`, made if it is missing (or `replace`).

    Made in a sibling directory, then renamed into place: processes starting together
    (test workers, the server and its task worker) never read half a chain, and the
    first rename wins.
    """
    files = DevFiles(directory)
    if files.complete() and not replace:
        return files
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    _write(staging, pass_type_id=pass_type_id, team_id=team_id, now=dt.datetime.now(dt.UTC))
    if directory.exists():  # replaced, or left incomplete by an interrupted run
        shutil.rmtree(directory, ignore_errors=True)
    try:
        os.rename(staging, directory)
    except OSError:  # another process put its own in place first: keep it
        shutil.rmtree(staging, ignore_errors=True)
    return files
