"""The certificates and keys the wallets sign with: the operator's, or the development ones.

Each setting holds a file path or the PEM (JSON for Google) text itself, so that a secret
store can hand either. Left empty, the development chain (`devchain`) stands in while
`WALLET_DEV_CREDENTIALS` is on; otherwise that wallet is not configured and not offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .devchain import DevFiles, dev_chain_ensure

type SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class AppleCredentials:
    pass_type_id: str
    team_id: str
    certificate: x509.Certificate
    key: SigningKey
    wwdr: x509.Certificate

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class GoogleCredentials:
    issuer_id: str
    client_email: str
    private_key_id: str
    private_key: rsa.RSAPrivateKey
    token_uri: str


def _text(value: str, *, marker: str, setting: str) -> bytes:
    """The setting's text when it starts with `marker`, else the file it names."""
    if value.lstrip().startswith(marker):
        return value.encode()
    try:
        return Path(value).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"{setting}: cannot read {value!r}: {error}") from None


def _dev_files() -> DevFiles | None:
    if not settings.WALLET_DEV_CREDENTIALS:
        return None
    directory, pass_type_id = Path(settings.WALLET_DEV_DIR), settings.WALLET_APPLE_PASS_TYPE_ID
    team_id = settings.WALLET_APPLE_TEAM_ID
    files = dev_chain_ensure(directory, pass_type_id=pass_type_id, team_id=team_id)
    # A chain made for another pass type id (the setting changed since) is made anew.
    if _uid(_certificate(files.certificate.read_bytes(), "dev")) != pass_type_id:
        files = dev_chain_ensure(
            directory, pass_type_id=pass_type_id, team_id=team_id, replace=True
        )
    return files


def _certificate(data: bytes, setting: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            return x509.load_der_x509_certificate(data)  # Apple hands out WWDR as DER
        except ValueError:
            raise ImproperlyConfigured(f"{setting} is no PEM or DER certificate") from None


def _spki(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _uid(certificate: x509.Certificate) -> str:
    values = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(values[0].value) if values else ""


def _load_apple(
    pass_type_id: str, team_id: str, cert: str, key: str, password: str, wwdr: str
) -> AppleCredentials:
    certificate = _certificate(
        _text(cert, marker="-----BEGIN", setting="WALLET_APPLE_CERTIFICATE"),
        "WALLET_APPLE_CERTIFICATE",
    )
    try:
        private_key = serialization.load_pem_private_key(
            _text(key, marker="-----BEGIN", setting="WALLET_APPLE_KEY"),
            password=password.encode() or None,
        )
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"WALLET_APPLE_KEY cannot be read: {error}") from None
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured("WALLET_APPLE_KEY must be an RSA or EC key")
    if _spki(private_key.public_key()) != _spki(certificate.public_key()):
        raise ImproperlyConfigured("WALLET_APPLE_KEY is not the key of WALLET_APPLE_CERTIFICATE")
    # Apple's pass certificates name their pass type in the UID: signing with another
    # type's certificate makes passes every phone refuses.
    if _uid(certificate) != pass_type_id:
        raise ImproperlyConfigured(
            f"WALLET_APPLE_CERTIFICATE is for {_uid(certificate)!r}, "
            f"not WALLET_APPLE_PASS_TYPE_ID {pass_type_id!r}"
        )
    return AppleCredentials(
        pass_type_id=pass_type_id,
        team_id=team_id,
        certificate=certificate,
        key=private_key,
        wwdr=_certificate(
            _text(wwdr, marker="-----BEGIN", setting="WALLET_APPLE_WWDR"), "WALLET_APPLE_WWDR"
        ),
    )


_apple_cached = cache(_load_apple)


def apple_credentials() -> AppleCredentials | None:
    """The Pass Type ID certificate, its key and Apple's WWDR intermediate; None when
    Apple Wallet is not configured."""
    cert, key, wwdr = (
        settings.WALLET_APPLE_CERTIFICATE,
        settings.WALLET_APPLE_KEY,
        settings.WALLET_APPLE_WWDR,
    )
    if not (cert or key or wwdr):
        files = _dev_files()
        if files is None:
            return None
        cert, key, wwdr = str(files.certificate), str(files.key), str(files.wwdr)
    elif not (cert and key and wwdr):
        raise ImproperlyConfigured(
            "WALLET_APPLE_CERTIFICATE, WALLET_APPLE_KEY and WALLET_APPLE_WWDR go together"
        )
    return _apple_cached(
        settings.WALLET_APPLE_PASS_TYPE_ID,
        settings.WALLET_APPLE_TEAM_ID,
        cert,
        key,
        settings.WALLET_APPLE_KEY_PASSWORD,
        wwdr,
    )


@cache
def _load_google(issuer_id: str, account: str) -> GoogleCredentials:
    text = _text(account, marker="{", setting="WALLET_GOOGLE_SERVICE_ACCOUNT")
    try:
        data: dict[str, Any] = json.loads(text)
        private_key = serialization.load_pem_private_key(
            data["private_key"].encode(), password=None
        )
        email, key_id = str(data["client_email"]), str(data["private_key_id"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ImproperlyConfigured(
            f"WALLET_GOOGLE_SERVICE_ACCOUNT is no service-account key file: {error!r}"
        ) from None
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("WALLET_GOOGLE_SERVICE_ACCOUNT must hold an RSA key")
    return GoogleCredentials(
        issuer_id=issuer_id,
        client_email=email,
        private_key_id=key_id,
        private_key=private_key,
        token_uri=str(data.get("token_uri") or "https://oauth2.googleapis.com/token"),
    )


def google_credentials() -> GoogleCredentials | None:
    """The service account that signs save links and calls the REST API, and the issuer
    id; None when Google Wallet is not configured."""
    account = settings.WALLET_GOOGLE_SERVICE_ACCOUNT
    if not account:
        files = _dev_files()
        if files is None:
            return None
        account = str(files.google_service_account)
    if not settings.WALLET_GOOGLE_ISSUER_ID.isdigit():
        raise ImproperlyConfigured("WALLET_GOOGLE_ISSUER_ID is the issuer's number")
    return _load_google(settings.WALLET_GOOGLE_ISSUER_ID, account)
