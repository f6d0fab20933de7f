from __future__ import annotations

from django.db import transaction

from parcauto.audit.services import audit_log

from .models import Language, User


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
