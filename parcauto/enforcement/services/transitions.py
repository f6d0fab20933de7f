"""Every change of a notice's state: checked against the allowed moves, locked, audited.

    issued ──► paid            contested ──► issued (kept) ──► paid
       │ └──► contested  ──►  cancelled
       ├────► cancelled
       └────► collection ──► paid | cancelled

Paying is refused while a contest is open (the notice is `contested`), and a paid or
cancelled notice never changes again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parcauto.accounts.models import User
from parcauto.audit.services import audit_log
from parcauto.core.clock import now

from ..errors import NoticeStateRefused
from ..models import ClaimNotice

State = ClaimNotice.State

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    State.ISSUED: frozenset({State.PAID, State.CONTESTED, State.CANCELLED, State.COLLECTION}),
    State.CONTESTED: frozenset({State.ISSUED, State.CANCELLED}),
    State.COLLECTION: frozenset({State.PAID, State.CANCELLED}),
    State.PAID: frozenset(),
    State.CANCELLED: frozenset(),
}


def notice_transition(
    *,
    notice: ClaimNotice,
    to: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ClaimNotice:
    """Move `notice` to state `to`, or raise NoticeStateRefused; returns the locked row.

    The row is re-read under a lock, so two agents (or a payment and a cancellation)
    racing on one notice apply one change and refuse the other.
    """
    with transaction.atomic():
        locked = ClaimNotice.objects.select_for_update().get(
            pk=notice.pk, organization_id=notice.organization_id
        )
        if to not in ALLOWED_MOVES[locked.state]:
            raise NoticeStateRefused()
        before = locked.state
        locked.state = to
        locked.state_changed_at = now()
        locked.state_reason = reason
        locked.save(update_fields=["state", "state_changed_at", "state_reason", "updated_at"])
        audit_log(
            action=f"enforcement.notice_{to}",
            actor=actor,
            organization=locked.organization,
            target=locked,
            data={"from": before, "to": to, "reason": reason, **(data or {})},
        )
    return locked
