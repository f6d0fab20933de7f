"""The wallets' use cases: registering devices, handing out passes and save links, and
telling Apple's devices and Google about a changed pass.

Calls to Apple and Google are made outside any transaction, then their outcome is
recorded: a task run twice pushes and patches once (`pushed_revision`, `sent_revision`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction

from parcauto.access.models import AccessPass
from parcauto.audit.services import audit_log

from .adapters import Outcome, adapter_from_setting
from .apple.pkpass import pkpass
from .content import pass_content
from .credentials import apple_credentials, google_credentials
from .errors import WalletUnavailable
from .google.objects import generic_object, object_id
from .google.savelink import save_url
from .models import AppleRegistration, GoogleWalletObject
from .tokens import authentication_digest, authentication_token


def apple_pass_build(*, access_pass: AccessPass, now: dt.datetime) -> bytes:
    """The signed `.pkpass` of the pass as it is now."""
    credentials = apple_credentials()
    if credentials is None:
        raise WalletUnavailable
    return pkpass(
        pass_content(access_pass, now=now),
        credentials,
        authentication_token=authentication_token(access_pass),
    )


@transaction.atomic
def apple_registration_save(
    *, access_pass: AccessPass, device_library_identifier: str, push_token: str
) -> bool:
    """Register (or refresh the push token of) a device for the pass; True if it is new.

    The caller checked the authentication token, which is the pass's current one.
    """
    registration, created = AppleRegistration.objects.update_or_create(
        access_pass=access_pass,
        device_library_identifier=device_library_identifier,
        defaults={
            "organization_id": access_pass.organization_id,
            "push_token": push_token,
            "auth_digest": authentication_digest(authentication_token(access_pass)),
        },
        create_defaults={
            "organization_id": access_pass.organization_id,
            "push_token": push_token,
            "auth_digest": authentication_digest(authentication_token(access_pass)),
            "pushed_revision": access_pass.revision,  # it holds the latest version
        },
    )
    if created:
        audit_log(
            action="wallet.apple_registered",
            actor=None,
            organization=access_pass.organization,
            target=access_pass,
            data={"registration": registration.pk},
        )
    return created


@transaction.atomic
def apple_registration_delete(*, access_pass: AccessPass, device_library_identifier: str) -> bool:
    """Forget a device for the pass (the pass was removed from it); False if unknown."""
    deleted, _ = AppleRegistration.objects.filter(
        access_pass=access_pass, device_library_identifier=device_library_identifier
    ).delete()
    if deleted:
        audit_log(
            action="wallet.apple_unregistered",
            actor=None,
            organization=access_pass.organization,
            target=access_pass,
        )
    return bool(deleted)


def google_save_link(*, access_pass: AccessPass, origins: list[str], now: dt.datetime) -> str:
    """The « Ajouter à Google Wallet » link; from now on the object is kept up to date."""
    credentials = google_credentials()
    if credentials is None or access_pass.state == AccessPass.State.VOIDED:
        raise WalletUnavailable
    content = pass_content(access_pass, now=now)
    with transaction.atomic():
        _, created = GoogleWalletObject.objects.get_or_create(
            access_pass=access_pass,
            defaults={
                "organization_id": access_pass.organization_id,
                "object_id": object_id(content, credentials),
                "linked_at": now,
                "sent_revision": access_pass.revision,  # the link carries this version
            },
        )
        if created:
            audit_log(
                action="wallet.google_linked",
                actor=access_pass.subscription.person,
                organization=access_pass.organization,
                target=access_pass,
            )
    return save_url(content, credentials, origins=origins, now=now)


@dataclass(frozen=True)
class Published:
    pushed: int = 0  # Apple devices told
    forgotten: int = 0  # Apple registrations dropped (token gone, or an old code's)
    google: str = ""  # the outcome of Google's PATCH, if any

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def _apple_publish(access_pass: AccessPass) -> tuple[int, int]:
    credentials = apple_credentials()
    registrations = AppleRegistration.objects.filter(access_pass=access_pass)
    if credentials is None or not registrations.exists():
        return 0, 0
    current = authentication_digest(authentication_token(access_pass))
    # Devices registered with an older code's token can no longer fetch the pass.
    forgotten, _ = registrations.exclude(auth_digest=current).delete()
    push = adapter_from_setting(settings.WALLET_APPLE_PUSH)
    pushed = 0
    for registration in registrations.filter(pushed_revision__lt=access_pass.revision):
        outcome = push.send(push_token=registration.push_token, topic=credentials.pass_type_id)
        if outcome is Outcome.DONE:
            registration.pushed_revision = access_pass.revision
            registration.save(update_fields=["pushed_revision", "updated_at"])
            pushed += 1
        elif outcome is Outcome.GONE:
            registration.delete()
            forgotten += 1
    return pushed, forgotten


def _google_publish(access_pass: AccessPass, now: dt.datetime) -> str:
    credentials = google_credentials()
    saved = GoogleWalletObject.objects.filter(access_pass=access_pass).first()
    if credentials is None or saved is None or saved.sent_revision >= access_pass.revision:
        return ""
    try:
        body = generic_object(pass_content(access_pass, now=now), credentials)
    except WalletUnavailable:  # its token no longer opens: the holder regenerates it
        return ""
    outcome = adapter_from_setting(settings.WALLET_GOOGLE_API).object_patch(
        object_id=saved.object_id, body=body
    )
    if outcome is not Outcome.FAILED:  # GONE: never saved; a later save carries this version
        saved.sent_revision, saved.sent_at = access_pass.revision, now
        saved.save(update_fields=["sent_revision", "sent_at", "updated_at"])
    return str(outcome)


def wallet_pass_publish(*, access_pass: AccessPass, now: dt.datetime) -> Published:
    """Tell every wallet that holds the pass about its current version: a push to each
    registered Apple device, a PATCH of the Google object (EXPIRED once voided)."""
    pushed, forgotten = _apple_publish(access_pass)
    return Published(pushed=pushed, forgotten=forgotten, google=_google_publish(access_pass, now))


def wallet_pass_addable(access_pass: AccessPass | None) -> bool:
    """Whether the holder may add the pass to a wallet now (it is not voided)."""
    return access_pass is not None and access_pass.state != AccessPass.State.VOIDED
