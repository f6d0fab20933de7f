"""The statements of a plate check, written by hand: cameras send a check for every car
they see, so its cost is a lot's throughput (as `access.gate_sql` for the gates).

Measured in process on PostgreSQL (`bench.profile_checks`, 1,000,000 plates, 200,000
grants): through the ORM the grants' read took a third of a check's CPU, 1.9 ms of 5.8
under cProfile (building a 180-to-330-value `IN` list, mostly); the stored check's read
before its write and the write in a savepoint another fifth. By hand: the look-alikes go
as one array parameter (`= ANY`, PostgreSQL; an `IN` list on SQLite), and the check is
written first, `ON CONFLICT DO NOTHING`, its id returned: a retry is the rare case that
reads the stored one. Each statement names the institution itself (the tenant guard
does not see a cursor).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from parcauto.access.gate_sql import aware, when
from parcauto.access.models import AccessGrant
from parcauto.catalog.models import PermitProduct
from parcauto.core.upsert import InsertUnlessStored
from parcauto.subscriptions.models import Subscription

from .models import ClaimNotice, PlateCheck

_GRANTS = AccessGrant._meta.db_table
_CONTRACTS = Subscription._meta.db_table
_PRODUCTS = PermitProduct._meta.db_table
_CHECKS = PlateCheck._meta.db_table
_NOTICES = ClaimNotice._meta.db_table
_GRANT_ROWS = (
    "SELECT g.lot_id, g.subscription_id, g.state, g.contract_from, g.valid_from, "  # noqa: S608
    "g.valid_until, g.credential, g.jurisdiction, s.contract_number, p.kind "
    f"FROM {_GRANTS} g LEFT JOIN {_CONTRACTS} s ON s.id = g.subscription_id "
    f"LEFT JOIN {_PRODUCTS} p ON p.id = s.product_id "
    "WHERE g.organization_id = %s AND g.kind = %s AND g.state <> %s AND g.credential "
)
_NOTICED = (
    f"SELECT 1 FROM {_NOTICES} WHERE organization_id = %s AND plate = %s "  # noqa: S608
    "AND jurisdiction = %s AND observed_at >= %s AND observed_at < %s AND state <> %s LIMIT 1"
)
# The partial unique index `one_check_per_device_read`, named as its condition reads.
_CHECK_INSERT = InsertUnlessStored.of(
    PlateCheck, conflict="(device_id, read_id) WHERE (device_id IS NOT NULL AND NOT (read_id = ''))"
)

# (lot, contract, state, contract_from, valid_from, valid_until, plate, province,
#  contract number, product kind): `grant_nearest` reads the first six.
GrantRow = tuple[Any, ...]


def plate_grant_rows(*, organization_id: int, plates: list[str]) -> list[GrantRow]:
    """The institution's plate grants of these plates, any province, revoked ones left
    out: one query on the `grant_lookup` index (organization, kind, credential)."""
    if not plates:
        return []
    params: list[Any] = [organization_id, AccessGrant.Kind.PLATE, AccessGrant.State.REVOKED]
    if connection.vendor == "postgresql":
        # One text parameter, not an array of them: psycopg dumps a 300-value list
        # element by element (0.27 ms of 2.1 under cProfile).
        sql, params = f"{_GRANT_ROWS} = ANY(string_to_array(%s, ','))", [*params, ",".join(plates)]
    else:
        sql, params = f"{_GRANT_ROWS} IN ({', '.join(['%s'] * len(plates))})", params + plates
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (lot, contract, state, aware(starts), aware(opens), aware(ends), *rest)
        for lot, contract, state, starts, opens, ends, *rest in rows
    ]


def check_insert(check: PlateCheck) -> bool:
    """Write a device's check (its id set on it); False when the device's read id is
    stored already, and nothing is written."""
    return _CHECK_INSERT.write(check)


def noticed_between(
    *, organization_id: int, plate: str, jurisdiction: str, start: dt.datetime, end: dt.datetime
) -> bool:
    """The plate got a notice (not cancelled) observed in [start, end): the
    `notice_plate_seen` index. Asked of every check not valid (the ORM's `exists()` was
    a third of a misread's CPU under cProfile, 0.77 ms of 2.1)."""
    params = [
        organization_id,
        plate,
        jurisdiction,
        when(start),
        when(end),
        ClaimNotice.State.CANCELLED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_NOTICED, params)
        return cursor.fetchone() is not None
