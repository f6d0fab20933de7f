"""The statements of a gate decision, written by hand: a decision is asked for at
every car, so its cost is the gates' throughput.

Measured in process on PostgreSQL (bench/README.md, *Access*): through the ORM, the
grants' read cost 0.45 ms of CPU, the anti-passback read 0.5 ms and the event's INSERT
(in a transaction, for its unique nonce) 0.4 ms, most of it building the SQL; by hand
they cost about a fifth of that. Each statement names the institution itself (the tenant
guard does not see a cursor), takes its datetimes through the backend's own adapter and
reads them back aware, so SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from parcauto.core.upsert import InsertUnlessStored

from .models import AccessEvent, AccessGrant

_GRANTS = AccessGrant._meta.db_table
_EVENTS = AccessEvent._meta.db_table
_EVENT_INSERT = InsertUnlessStored.of(AccessEvent, conflict="(device_id, nonce)")
# A grant's row, with its contract's last accepted passage at the lot asked about when
# anti-passback applies (a lazily run subquery: NULL lot, none run). One round trip where
# two were: the separate read cost 0.5 ms of CPU in process through the ORM, then ~0.15
# ms by hand, app and PostgreSQL (bench.profile_decision).
_MATCHING = (
    "SELECT g.lot_id, g.subscription_id, g.state, g.contract_from, g.valid_from, "  # noqa: S608
    "g.valid_until, CASE WHEN g.lot_id = %s THEN ("
    f"SELECT e.direction FROM {_EVENTS} e WHERE e.organization_id = g.organization_id "
    "AND e.subscription_id = g.subscription_id AND e.lot_id = g.lot_id AND e.allowed "
    "ORDER BY e.recorded_at DESC, e.id DESC LIMIT 1) END "
    f"FROM {_GRANTS} g WHERE g.organization_id = %s AND g.kind = %s AND g.credential = %s "
    "AND g.state <> %s"
)


def aware(value: Any) -> dt.datetime | None:
    """A datetime read back: SQLite gives it naive in UTC, PostgreSQL aware."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


GrantRow = tuple[int, int, str, dt.datetime, dt.datetime, dt.datetime | None, str]


def grants_matching(
    *,
    organization_id: int,
    kind: str,
    credential: str,
    jurisdiction: str | None,
    passback_lot_id: int | None = None,
) -> list[GrantRow]:
    """(lot, contract, state, contract_from, valid_from, valid_until, last passage) of the
    institution's grants of this credential, revoked ones left out (the `grant_lookup`
    index). The last passage, "entry" or "exit" ("" for none), is the contract's last
    accepted one at `passback_lot_id`, read for that lot's grants only (anti-passback)."""
    sql = _MATCHING
    params: list[Any] = [
        passback_lot_id,
        organization_id,
        kind,
        credential,
        str(AccessGrant.State.REVOKED),
    ]
    if jurisdiction is not None:
        sql, params = f"{sql} AND g.jurisdiction = %s", [*params, jurisdiction]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (lot, contract, state, aware(starts), aware(opens), aware(ends), last or "")  # type: ignore[misc]
        for lot, contract, state, starts, opens, ends, last in rows
    ]


def event_insert(event: AccessEvent) -> bool:
    """Write the event (its id set on it); False when its device already used its nonce."""
    return _EVENT_INSERT.write(event)
