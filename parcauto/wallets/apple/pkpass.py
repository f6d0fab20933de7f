"""Apple Wallet's `.pkpass`: pass.json, pictures and translations, a manifest of their
SHA-1 digests, and a detached PKCS#7 signature of the manifest.

Texts go in pass.json as their French wording, and each language the institution offers
gets `<language>.lproj/pass.strings` mapping them to its own: the phone picks the one of
its language. The signature (SHA-256) is made with the Pass Type ID certificate and
carries Apple's WWDR intermediate, as Wallet requires; `openssl cms -verify` checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from parcauto.core.clock import LOCAL_TZ

from ..content import PassContent, PassState
from ..credentials import AppleCredentials
from ..images import APPLE_ICON, APPLE_LOGO, icon_png, logo_png, scaled
from ..texts import pass_texts

CONTENT_TYPE = "application/vnd.apple.pkpass"
# Every entry gets this time: the same pass gives the same archive (but its signature).
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def _rgb(colour: str) -> str:
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def _text_colour(colour: str) -> str:
    """White on a dark background, black on a light one (relative luminance)."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.6
    return "rgb(0, 0, 0)" if light else "rgb(255, 255, 255)"


def _local_midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0), LOCAL_TZ).isoformat()


def _date_field(key: str, label: str, day: dt.date) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "value": _local_midnight(day),
        "dateStyle": "PKDateStyleMedium",
        "timeStyle": "PKDateStyleNone",
        "ignoresTimeZone": True,
    }


def _fields(content: PassContent, t: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    until = (
        _date_field("valid_until", t["valid_until"], content.valid_until)
        if content.valid_until
        else {"key": "valid_until", "label": t["valid_until"], "value": t["open_ended"]}
    )
    back = [
        {"key": "permit", "label": t["permit"], "value": t["product"]},
        {"key": "how", "label": t["how"], "value": t["how_text"]},
    ]
    if content.state is PassState.SUSPENDED:
        back.insert(0, {"key": "suspended", "label": t["state"], "value": t["suspended_text"]})
    if content.institution.phone:
        back.append(
            {"key": "service", "label": t["service_centre"], "value": content.institution.phone}
        )
    return {
        "headerFields": [
            {
                "key": "status",
                "label": t["status"],
                "value": t["state"],
                "changeMessage": t["status_changed"],
            }
        ],
        "primaryFields": [
            {"key": "lots", "label": t["lots"], "value": ", ".join(map(str, content.lots))}
        ],
        "secondaryFields": [
            {"key": "holder", "label": t["holder"], "value": content.holder_name},
            {"key": "contract", "label": t["contract"], "value": content.contract_number},
        ],
        "auxiliaryFields": [
            _date_field("valid_from", t["valid_from"], content.valid_from),
            until,
            {
                "key": "plates",
                "label": t["plates"],
                "value": ", ".join(content.plates) or t["no_plate"],
                "changeMessage": t["plates_changed"],
            },
        ],
        "backFields": back,
    }


def pass_json(
    content: PassContent, credentials: AppleCredentials, *, authentication_token: str
) -> dict[str, Any]:
    t = pass_texts(content, "fr")  # the keys; pass.strings translate them
    colour = content.institution.colour
    data: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": credentials.pass_type_id,
        "teamIdentifier": credentials.team_id,
        "serialNumber": content.serial_number,
        "webServiceURL": content.web_service_url,
        "authenticationToken": authentication_token,
        "organizationName": t["institution"],
        "description": t["description"],
        "logoText": t["institution"],
        "backgroundColor": _rgb(colour),
        "foregroundColor": _text_colour(colour),
        "labelColor": _text_colour(colour),
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": content.token,
                "messageEncoding": "iso-8859-1",
            }
        ],
        "sharingProhibited": True,
        "relevantDate": _local_midnight(content.valid_from),
        "generic": _fields(content, t),
    }
    if content.valid_until is not None:
        data["expirationDate"] = _local_midnight(content.valid_until + dt.timedelta(days=1))
    if content.is_voided:
        data["voided"] = True
    return data


def _strings_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def pass_strings(content: PassContent, language: str) -> bytes:
    """`"<French text>" = "<text in language>";` for every text of the pass."""
    keys, texts = pass_texts(content, "fr"), pass_texts(content, language)
    lines = [
        f'"{_strings_escape(keys[name])}" = "{_strings_escape(texts[name])}";'
        for name in sorted(keys)
    ]
    return ("\n".join(dict.fromkeys(lines)) + "\n").encode()


def pass_files(
    content: PassContent, credentials: AppleCredentials, *, authentication_token: str
) -> dict[str, bytes]:
    """Every file of the pass but the manifest and its signature."""
    institution = content.institution
    data = pass_json(content, credentials, authentication_token=authentication_token)
    files = {"pass.json": json.dumps(data, ensure_ascii=False, indent=2).encode()}
    for factor, suffix in ((1, ""), (2, "@2x"), (3, "@3x")):
        files[f"icon{suffix}.png"] = icon_png(institution.colour, scaled(APPLE_ICON, factor))
        files[f"logo{suffix}.png"] = logo_png(
            institution.logo, institution.colour, scaled(APPLE_LOGO, factor)
        )
    for language in institution.languages:
        files[f"{language}.lproj/pass.strings"] = pass_strings(content, language)
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    """Each file's SHA-1 digest, as Wallet requires (it checks them before the signature)."""
    digests = {name: hashlib.sha1(data).hexdigest() for name, data in sorted(files.items())}  # noqa: S324
    return json.dumps(digests, indent=2).encode()


def signature(manifest_bytes: bytes, credentials: AppleCredentials) -> bytes:
    """PKCS#7 detached, DER, SHA-256, signed by the pass certificate, carrying WWDR."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest_bytes)
        .add_signer(credentials.certificate, credentials.key, hashes.SHA256())
        .add_certificate(credentials.wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def pkpass(
    content: PassContent, credentials: AppleCredentials, *, authentication_token: str
) -> bytes:
    """The signed `.pkpass` archive."""
    files = pass_files(content, credentials, authentication_token=authentication_token)
    files["manifest.json"] = manifest(files)
    files["signature"] = signature(files["manifest.json"], credentials)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
