"""A lot's allowlist: what a controller needs to decide alone while the network is down.

The full list holds every grant of the lot that is valid and not yet over (passes by
their token's SHA-256, plates normalised with their jurisdiction), each with its window:
`contract_from`, `valid_from`, `valid_until` (excluded, or none). A controller keeps it and
then asks for what changed since the `revision` it was given: every grant of the lot
written after it, the ones no longer valid (suspended, cancelled, revoked) as removals.

Revisions come from the institution's counter, advanced in each writing transaction and
held until its commit (`models.AccessGrant`), so a controller that asks again from its
last revision misses nothing. This relies on grants being rewritten, never deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from parcauto.catalog.models import ParkingLot

from .models import AccessGrant

ROW_FIELDS = (
    "id",
    "kind",
    "credential",
    "jurisdiction",
    "contract_from",
    "valid_from",
    "valid_until",
    "state",
    "revision",
)
_CHUNK = 2_000


def _live(now: dt.datetime) -> Q:
    return Q(state=AccessGrant.State.VALID) & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))


@dataclass(frozen=True)
class AllowlistVersion:
    """What the answer will hold, known before it is read: its cursor and its ETag."""

    revision: int  # the lot's latest grant revision: the next `since`
    rows: int
    etag: str


def allowlist_version(*, lot: ParkingLot, since: int | None, now: dt.datetime) -> AllowlistVersion:
    """One aggregate over the lot's grants (its revision index for a delta).

    The full list changes when a grant of the lot is written (the latest revision moves)
    or when one runs out (fewer rows): both are in its ETag. A delta changes only when a
    grant is written after `since`.
    """
    grants = AccessGrant.objects.filter(lot=lot)
    if since is None:
        found = grants.aggregate(revision=Max("revision"), rows=Count("id", filter=_live(now)))
        revision, rows = found["revision"] or 0, found["rows"]
        tag = f'"{lot.pk}-{revision}-{rows}"'
    else:
        found = grants.filter(revision__gt=since).aggregate(
            revision=Max("revision"), rows=Count("id")
        )
        revision, rows = found["revision"] or since, found["rows"]
        tag = f'"{lot.pk}-{since}-{revision}"'
    return AllowlistVersion(revision=revision, rows=rows, etag=tag)


def _rows(*, lot: ParkingLot, since: int | None, now: dt.datetime) -> QuerySet[AccessGrant]:
    grants = AccessGrant.objects.filter(lot=lot)
    if since is None:
        return grants.filter(_live(now)).order_by("revision", "id")
    return grants.filter(revision__gt=since).order_by("revision", "id")


def allowlist_rows(
    *, lot: ParkingLot, since: int | None, now: dt.datetime
) -> Iterator[tuple[Any, ...]]:
    """The grants of the answer, oldest revision first, as tuples of `ROW_FIELDS`, read
    in chunks: a 10,000-permit lot never sits in memory as model instances."""
    rows = _rows(lot=lot, since=since, now=now).values_list(*ROW_FIELDS)
    return rows.iterator(chunk_size=_CHUNK)


_STATE = ROW_FIELDS.index("state")


def is_removal(row: tuple[Any, ...]) -> bool:
    """A delta's row that takes a credential away (no longer valid)."""
    return row[_STATE] != AccessGrant.State.VALID
