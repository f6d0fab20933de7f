from __future__ import annotations

from django.db import transaction

from parcauto.audit.services import audit_log

from .errors import EmailOwned
from .models import Language, User
from .selectors import email_claims


def user_set_language(*, user: User, language: str) -> None:
    if language not in Language.values or user.language == language:
        return
    with transaction.atomic():
        previous = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_log(
            action="account.language_changed",
            actor=user,
            target=user,
            data={"from": previous, "to": language},
        )


def email_claims_drop(*, email: str, claimant: User | None) -> int:
    """Clear the way for `claimant` (None: a sign-up about to create its account) to own
    `email`: delete the never-used accounts that squat it, and drop the changes other
    accounts asked for towards it; how many claims went. Raises `EmailOwned`, changing
    nothing, when another account owns it (verified) or holds it on an account in use.
    """
    with transaction.atomic():
        claims = email_claims(email=email, claimant=claimant)
        if not claims.claimable:
            raise EmailOwned
        for squat in claims.squats:
            audit_log(
                action="account.unverified_claim_dropped",
                actor=None,
                target=squat,
                data={"deleted_account": True},
            )
            squat.delete()
        for address in claims.pending:
            audit_log(
                action="account.unverified_claim_dropped",
                actor=None,
                target=address.user,
                data={"deleted_account": False},
            )
            address.delete()
    return len(claims.squats) + len(claims.pending)
