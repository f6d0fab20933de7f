"""« Ajouter à Google Wallet »: a link carrying a JWT (RS256, signed by the service
account) that holds the generic class and object; Google saves the object as it is."""

from __future__ import annotations

import datetime as dt

import jwt

from ..content import PassContent
from ..credentials import GoogleCredentials
from .objects import generic_class, generic_object

SAVE_URL = "https://pay.google.com/gp/v/save/"


def save_jwt(
    content: PassContent, credentials: GoogleCredentials, *, origins: list[str], now: dt.datetime
) -> str:
    claims = {
        "iss": credentials.client_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(now.timestamp()),
        "origins": origins,
        "payload": {
            "genericClasses": [generic_class(content, credentials)],
            "genericObjects": [generic_object(content, credentials)],
        },
    }
    return jwt.encode(
        claims,
        credentials.private_key,
        algorithm="RS256",
        headers={"kid": credentials.private_key_id},
    )


def save_url(
    content: PassContent, credentials: GoogleCredentials, *, origins: list[str], now: dt.datetime
) -> str:
    return SAVE_URL + save_jwt(content, credentials, origins=origins, now=now)
