"""The three statements of a gate decision, written by hand: a decision is asked for at
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

from .models import AccessEvent, AccessGrant

_GRANTS = AccessGrant._meta.db_table
_EVENTS = AccessEvent._meta.db_table
_EVENT_COLUMNS = (
    "created_at",
    "updated_at",
    "organization_id",
    "device_id",
    "lot_id",
    "lane",
    "direction",
    "credential_kind",
    "plate",
    "jurisdiction",
    "subscription_id",
    "allowed",
    "reason",
    "nonce",
    "request_digest",
    "device_time",
    "recorded_at",
)
_INSERT = (
    f"INSERT INTO {_EVENTS} ({', '.join(_EVENT_COLUMNS)}) "  # noqa: S608 - no input
    f"VALUES ({', '.join(['%s'] * len(_EVENT_COLUMNS))}) "
    "ON CONFLICT (device_id, nonce) DO NOTHING RETURNING id"
)
_LAST_ACCEPTED = (
    f"SELECT direction FROM {_EVENTS} "  # noqa: S608 - no input
    "WHERE organization_id = %s AND subscription_id = %s AND lot_id = %s AND allowed = %s "
    "ORDER BY recorded_at DESC, id DESC LIMIT 1"
)
_MATCHING = (
    "SELECT lot_id, subscription_id, state, contract_from, valid_from, valid_until "  # noqa: S608
    f"FROM {_GRANTS} WHERE organization_id = %s AND kind = %s AND credential = %s "
    "AND state <> %s"
)


def _aware(value: Any) -> dt.datetime | None:
    """A datetime read back: SQLite gives it naive in UTC, PostgreSQL aware."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def grants_matching(
    *, organization_id: int, kind: str, credential: str, jurisdiction: str | None
) -> list[tuple[int, int, str, dt.datetime, dt.datetime, dt.datetime | None]]:
    """(lot, contract, state, contract_from, valid_from, valid_until) of the institution's
    grants of this credential, revoked ones left out (the `grant_lookup` index)."""
    sql = _MATCHING
    params: list[Any] = [organization_id, kind, credential, str(AccessGrant.State.REVOKED)]
    if jurisdiction is not None:
        sql, params = f"{sql} AND jurisdiction = %s", [*params, jurisdiction]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (lot, contract, state, _aware(starts), _aware(opens), _aware(ends))  # type: ignore[misc]
        for lot, contract, state, starts, opens, ends in rows
    ]


def last_accepted_direction(*, organization_id: int, subscription_id: int, lot_id: int) -> str:
    """ "entry" or "exit": the contract's last accepted passage at the lot ("" for none)."""
    with connection.cursor() as cursor:
        cursor.execute(_LAST_ACCEPTED, [organization_id, subscription_id, lot_id, True])
        row = cursor.fetchone()
    return row[0] if row else ""


def event_insert(event: AccessEvent, *, now: dt.datetime) -> bool:
    """Write the event (its id set on it); False when its device already used its nonce."""
    values: list[Any] = [
        _when(now),
        _when(now),
        event.organization_id,
        event.device_id,
        event.lot_id,
        event.lane,
        event.direction,
        event.credential_kind,
        event.plate,
        event.jurisdiction,
        event.subscription_id,
        event.allowed,
        event.reason,
        event.nonce,
        event.request_digest,
        _when(event.device_time),
        _when(event.recorded_at),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, values)
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = row[0]
    event.created_at = event.updated_at = now
    return True
