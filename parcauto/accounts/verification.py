"""Who may use a validation link: only the account that asked for it.

A validation link goes to a mailbox; the account it would prove the address for was
chosen by whoever asked. Someone who signs up, or asks for an address change, with
another person's address gets that person a link: one click from them would hand the
asker an account holding that address, proven (issue 9, finding 4). So a link proves the
address only for a visitor who is that account:

- signed in as it (the person who asked to change their address, on their device);
- or the browser that just signed up for it (allauth keeps the pending sign-up in the
  session, 15 minutes);
- or, anywhere else, someone who types that account's password on the link's page.

The mailbox's owner who never asked knows none of these: their click proves nothing.
"""

from __future__ import annotations

from allauth.account.stages import EmailVerificationStage, LoginStageController
from django.http import HttpRequest

_PASSWORD_PROVEN = "_parcauto_account_proven_by_password"  # noqa: S105 - an attribute name


def account_proven(request: HttpRequest, user_id: int) -> bool:
    user = request.user
    if user.is_authenticated and user.pk == user_id:
        return True
    if getattr(request, _PASSWORD_PROVEN, None) == user_id:
        return True
    stage = LoginStageController.enter(request, EmailVerificationStage.key)
    return bool(stage and stage.login.user and stage.login.user.pk == user_id)


def account_prove_by_password(request: HttpRequest, user_id: int) -> None:
    """The view checked the account's password on this request."""
    setattr(request, _PASSWORD_PROVEN, user_id)
