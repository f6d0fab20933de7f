"""What the back office reads about notices and plate checks: read-only selectors.

Nothing here changes a row. Every selector takes the institutions the reader may see and
narrows to them (as `billing.reports` does), so a page cannot forget to. Days are Quebec
days: a notice issued at 23:30 on the 5th counts on the 5th.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from parcauto.accounts.models import User
from parcauto.audit.models import AuditEvent
from parcauto.core.clock import LOCAL_TZ
from parcauto.tenants.models import Organization

from .models import ClaimNotice, PlateCheck


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def on_local_days(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    """`field` within the Quebec days `first` to `last`, both included (either open)."""
    condition = Q()
    if first is not None:
        condition &= Q(**{f"{field}__gte": local_midnight(first)})
    if last is not None:
        condition &= Q(**{f"{field}__lt": local_midnight(last + dt.timedelta(days=1))})
    return condition


def compact(typed: str) -> str:
    """A number or a plate as stored: upper case, without spaces nor dashes."""
    return re.sub(r"[\s-]", "", typed).upper()


# --- Notices ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NoticeFilters:
    """The list's filters; None (or "") means "any"."""

    lot_id: int | None = None
    agent_id: int | None = None
    state: str = ""
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    # A notice number or a plate, as typed (spaces ignored).
    text: str = ""


def notices_of(*, organizations: QuerySet[Organization]) -> QuerySet[ClaimNotice]:
    """Notices with what a list or a page shows: institution, lot, agent."""
    return ClaimNotice.objects.filter(organization__in=organizations).select_related(
        "organization", "lot", "agent"
    )


def notice_search(
    *, organizations: QuerySet[Organization], filters: NoticeFilters
) -> QuerySet[ClaimNotice]:
    """The notices matching `filters`, the latest issued first."""
    found = notices_of(organizations=organizations).filter(
        on_local_days("issued_at", filters.issued_from, filters.issued_to)
    )
    if filters.lot_id is not None:
        found = found.filter(lot_id=filters.lot_id)
    if filters.agent_id is not None:
        found = found.filter(agent_id=filters.agent_id)
    if filters.state:
        found = found.filter(state=filters.state)
    text = compact(filters.text)
    if text:
        # A number is all digits; a plate is stored normalised (upper case, no spaces).
        found = found.filter(Q(number=text) | Q(plate=text))
    return found.order_by("-issued_at", "-pk")


def notice_state_counts(notices: QuerySet[ClaimNotice]) -> dict[str, int]:
    """How many of `notices` are in each state (every state named, zero included)."""
    counted = Counter(
        {
            row["state"]: row["n"]
            for row in notices.order_by().values("state").annotate(n=Count("pk"))
        }
    )
    return {state: counted[state] for state in ClaimNotice.State.values}


def notice_agents(*, organizations: QuerySet[Organization]) -> QuerySet[User]:
    """Everyone who issued a notice in these institutions (a former agent too)."""
    issued = ClaimNotice.objects.filter(organization__in=organizations).values("agent_id")
    return User.objects.filter(pk__in=issued).order_by("email")


# What each audited action of a notice means in its history; a state change
# (`enforcement.notice_<state>`) is named by the state it led to.
_HISTORY_LABELS: dict[str, Any] = {
    "enforcement.notice_issued": _("Issued"),
}


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    label: str
    reason: str


def notice_history(notice: ClaimNotice) -> list[HistoryEntry]:
    """The notice's audit trail, oldest first: issued, then every change of state."""
    states = dict(ClaimNotice.State.choices)
    events = AuditEvent.objects.filter(
        organization_id=notice.organization_id,
        target_type=ClaimNotice._meta.label_lower,
        target_id=str(notice.pk),
    ).select_related("actor")
    entries = []
    for event in events.order_by("created_at", "id"):
        data = event.data if isinstance(event.data, dict) else {}
        label = _HISTORY_LABELS.get(event.action) or states.get(str(data.get("to", "")))
        entries.append(
            HistoryEntry(
                event=event,
                label=str(label or event.action),
                reason=str(data.get("reason", "") or ""),
            )
        )
    return entries


# --- Plate checks -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CheckFilters:
    lot_id: int | None = None
    day: dt.date | None = None
    verdict: str = ""
    plate: str = ""


def plate_check_history(
    *, organizations: QuerySet[Organization], filters: CheckFilters
) -> QuerySet[PlateCheck]:
    """Plate checks, the latest first, each with the notice issued from it, if any
    (`notice_id`, `notice_number`: the first one)."""
    first_notice = ClaimNotice.objects.filter(
        organization_id=OuterRef("organization_id"), plate_check=OuterRef("pk")
    ).order_by("pk")
    found = (
        PlateCheck.objects.filter(organization__in=organizations)
        .filter(on_local_days("checked_at", filters.day, filters.day))
        .select_related("organization", "lot", "agent", "device")
        .annotate(
            notice_id=Subquery(first_notice.values("pk")[:1]),
            notice_number=Subquery(first_notice.values("number")[:1]),
        )
    )
    if filters.lot_id is not None:
        found = found.filter(lot_id=filters.lot_id)
    if filters.verdict:
        found = found.filter(verdict=filters.verdict)
    plate = compact(filters.plate)
    if plate:
        found = found.filter(plate=plate)
    return found.order_by(F("checked_at").desc(), "-pk")
