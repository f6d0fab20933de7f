"""Cancelling a notice from the back office: a manager writes the claim off, with a reason.

A contested notice is not cancelled here: the service centre decides it with the contest
in view and answers the person (the contest's decision moves the notice itself). A paid
or cancelled notice cannot be cancelled (`transitions.ALLOWED_MOVES`).
"""

from __future__ import annotations

from django.db import transaction

from parcauto.accounts.models import User

from ..errors import NoticeContested, ReasonRequired
from ..models import ClaimNotice
from .transitions import ALLOWED_MOVES, notice_transition

State = ClaimNotice.State


def notice_cancellable(notice: ClaimNotice) -> bool:
    """Whether the back office may cancel `notice` as it stands."""
    return notice.state != State.CONTESTED and State.CANCELLED in ALLOWED_MOVES[notice.state]


def notice_cancel(*, notice: ClaimNotice, actor: User, reason: str) -> ClaimNotice:
    """Cancel `notice` for `reason` (kept in its state and its audited history).

    Raises ReasonRequired, NoticeContested, or NoticeStateRefused (paid, cancelled, or
    changed by someone else meanwhile: the transition re-reads the row under a lock).
    """
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        # Read under the lock: a contest opened since the page was shown must win.
        locked = ClaimNotice.objects.select_for_update().get(
            pk=notice.pk, organization_id=notice.organization_id
        )
        if locked.state == State.CONTESTED:
            raise NoticeContested()
        return notice_transition(
            notice=locked, to=State.CANCELLED, actor=actor, reason=reason, data={"by": "staff"}
        )
