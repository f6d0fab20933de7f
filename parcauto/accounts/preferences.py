"""PARAMÈTRES > Langue et courriels: the language of pages and e-mails, and the optional
e-mails a person refuses (mandatory ones, receipts and notices, are always sent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from parcauto.audit.services import audit_log
from parcauto.notifications.services import email_opt_outs_apply

from .models import User
from .services import user_set_language


def communication_preferences_save(
    *, user: User, language: str, refused_topics: Iterable[str], now: dt.datetime
) -> bool:
    """Set the person's language and e-mail opt-out list; whether anything changed.

    Each change is audited: the language (from, to) and the topics refused or accepted
    again (the consent log shows when).
    """
    with transaction.atomic():
        previous = user.language
        user_set_language(user=user, language=language)
        changed = user.language != previous
        refused, accepted = email_opt_outs_apply(person_id=user.pk, refused=refused_topics, now=now)
        if refused or accepted:
            audit_log(
                action="account.email_preferences_changed",
                actor=user,
                target=user,
                data={"refused": sorted(refused), "accepted": sorted(accepted)},
            )
            changed = True
    return changed
