"""The Google Wallet generic class and object of a pass, as the Wallet API defines them.

The same object goes in the save link's JWT (first save) and in the REST API's PATCH
(every later change), so what the holder sees after an update is exactly what a new save
would show. Texts are LocalizedStrings: French by default, English translated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from parcauto.core.clock import LOCAL_TZ
from parcauto.core.dates import format_date

from ..content import PassContent, PassState
from ..credentials import GoogleCredentials
from ..texts import pass_texts

_STATES = {
    PassState.ACTIVE: "ACTIVE",
    PassState.SUSPENDED: "INACTIVE",
    PassState.VOIDED: "EXPIRED",
}
_LANGUAGE_TAGS = {"fr": "fr-CA", "en": "en-CA"}


def class_id(content: PassContent, credentials: GoogleCredentials) -> str:
    """One class per institution: `<issuer>.parcauto-<slug>`."""
    return f"{credentials.issuer_id}.parcauto-{content.institution.slug}"


def object_id(content: PassContent, credentials: GoogleCredentials) -> str:
    """`<issuer>.<serial number>`: the pass's id on Google's side, stable for its life."""
    return f"{credentials.issuer_id}.{content.serial_number}"


def _localized(content: PassContent, key: str) -> dict[str, Any]:
    languages = content.institution.languages
    texts = {language: pass_texts(content, language)[key] for language in languages}
    value: dict[str, Any] = {
        "defaultValue": {"language": _LANGUAGE_TAGS["fr"], "value": texts["fr"]}
    }
    others = [
        {"language": _LANGUAGE_TAGS[language], "value": text}
        for language, text in texts.items()
        if language != "fr"
    ]
    if others:
        value["translatedValues"] = others
    return value


def _module(content: PassContent, key: str, body: str, *, header: str | None = None) -> dict:
    label = pass_texts(content, "fr")
    return {
        "id": key,
        "header": label[header or key],
        "body": body,
        "localizedHeader": _localized(content, header or key),
    }


def _midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0), LOCAL_TZ).isoformat()


def _validity(content: PassContent) -> dict[str, Any]:
    interval: dict[str, Any] = {"start": {"date": _midnight(content.valid_from)}}
    if content.valid_until is not None:
        interval["end"] = {"date": _midnight(content.valid_until + dt.timedelta(days=1))}
    return interval


def _days(content: PassContent, language: str) -> str:
    """« 1er juin 2026 → 31 juillet 2026 », "June 1, 2026 → July 31, 2026"."""
    with translation.override(language):
        until = format_date(content.valid_until) if content.valid_until else "…"
        return f"{format_date(content.valid_from)} → {until}"


def _validity_module(content: PassContent) -> dict[str, Any]:
    """The days of validity, written in each of the institution's languages."""
    module = _module(content, "validity", _days(content, "fr"), header="valid_until")
    others = [
        {"language": _LANGUAGE_TAGS[language], "value": _days(content, language)}
        for language in content.institution.languages
        if language != "fr"
    ]
    module["localizedBody"] = {
        "defaultValue": {"language": _LANGUAGE_TAGS["fr"], "value": module["body"]},
        **({"translatedValues": others} if others else {}),
    }
    return module


def generic_class(content: PassContent, credentials: GoogleCredentials) -> dict[str, Any]:
    return {"id": class_id(content, credentials)}


def generic_object(content: PassContent, credentials: GoogleCredentials) -> dict[str, Any]:
    modules = [
        _module(content, "lots", ", ".join(map(str, content.lots))),
        _module(content, "contract", content.contract_number),
        _validity_module(content),
        _module(
            content, "plates", ", ".join(content.plates) or pass_texts(content, "fr")["no_plate"]
        ),
    ]
    if content.state is not PassState.ACTIVE:
        modules.insert(0, _module(content, "status", pass_texts(content, "fr")["state"]))
    return {
        "id": object_id(content, credentials),
        "classId": class_id(content, credentials),
        "state": _STATES[content.state],
        "cardTitle": _localized(content, "institution"),
        "subheader": _localized(content, "holder"),
        "header": {"defaultValue": {"language": "fr-CA", "value": content.holder_name}},
        "hexBackgroundColor": content.institution.colour,
        "logo": {
            "sourceUri": {"uri": content.logo_url},
            "contentDescription": _localized(content, "institution"),
        },
        "barcode": {
            "type": "QR_CODE",
            "value": content.token,
            "alternateText": content.contract_number,
        },
        "textModulesData": modules,
        "validTimeInterval": _validity(content),
    }
