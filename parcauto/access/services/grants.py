"""A contract's grants: the ones it should have, and the writes that make them so.

Only rows that really change are written, each with a new revision from the
institution's counter (`access-grants-<organization id>`), reserved in one statement
inside the writing transaction: controllers that ask for what changed since their last
revision see every change once, in order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parcauto.core.sequences import sequence_reserve
from parcauto.subscriptions.models import Subscription

from ..models import AccessGrant
from ..ranges import PlateSpan, Span

Kind = AccessGrant.Kind
State = AccessGrant.State
_UPDATED = ("jurisdiction", "contract_from", "valid_from", "valid_until", "state", "revision")
_UTC = dt.UTC
# What an erased plate's grant holds instead (no plate has a dash: normalize_plate).
ERASED_PLATE_PREFIX = "erased-"


def revision_sequence(organization_id: int) -> str:
    return f"access-grants-{organization_id}"


@dataclass(frozen=True)
class Wanted:
    """One grant as the contract wants it."""

    lot_id: int
    kind: str
    credential: str
    jurisdiction: str
    contract_from: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    state: str

    @property
    def key(self) -> tuple[int, str, str, dt.datetime]:
        return (self.lot_id, self.kind, self.credential, self.valid_from)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(_UTC)


def grants_wanted(
    *,
    lot_ids: Iterable[int],
    token_hash: str,
    contract: Span,
    plates: Sequence[PlateSpan],
    state: str,
) -> list[Wanted]:
    """The pass in every lot over the contract's span, and each plate over its overlap."""
    start, end = _utc(contract.start), _utc(contract.end)
    assert start is not None  # noqa: S101 - a span always starts
    wanted = []
    for lot_id in sorted(set(lot_ids)):
        wanted.append(Wanted(lot_id, Kind.PASS, token_hash, "", start, start, end, state))
        for plate in plates:
            overlap = plate.span.overlap(contract)
            if overlap is None:
                continue
            valid_from = _utc(overlap.start)
            assert valid_from is not None  # noqa: S101
            wanted.append(
                Wanted(
                    lot_id,
                    Kind.PLATE,
                    plate.plate,
                    plate.jurisdiction,
                    start,
                    valid_from,
                    _utc(overlap.end),
                    state,
                )
            )
    return wanted


def _differs(grant: AccessGrant, wanted: Wanted) -> bool:
    return (
        grant.jurisdiction != wanted.jurisdiction
        or grant.contract_from != wanted.contract_from
        or grant.valid_from != wanted.valid_from
        or grant.valid_until != wanted.valid_until
        or grant.state != wanted.state
    )


def _apply(grant: AccessGrant, wanted: Wanted) -> None:
    grant.jurisdiction = wanted.jurisdiction
    grant.contract_from = wanted.contract_from
    grant.valid_from = wanted.valid_from
    grant.valid_until = wanted.valid_until
    grant.state = wanted.state


def grants_write(
    *, contract: Subscription, wanted: Sequence[Wanted] | None, now: dt.datetime
) -> int:
    """Make the contract's stored grants `wanted`; how many rows changed.

    `wanted` None: the contract has stopped (refused, cancelled, ended): what it had is
    kept as it was, each range marked cancelled. Otherwise a stored grant that matches
    a wanted one exactly (lot, kind, credential, start) is updated if it differs; the
    others of the same credential are moved to the remaining wanted ranges (a contract
    whose dates changed keeps its rows); what is left is revoked (an old token, a range
    no longer wanted) or created.
    """
    existing = list(AccessGrant.objects.filter(subscription=contract).order_by("valid_from", "id"))
    changed: list[AccessGrant] = []
    created: list[AccessGrant] = []
    if wanted is None:
        for grant in existing:
            if grant.state in (State.VALID, State.SUSPENDED):
                grant.state = State.CANCELLED
                changed.append(grant)
    else:
        _match(existing, wanted, contract, changed, created)
    count = len(changed) + len(created)
    if not count:
        return 0
    _stamp([*changed, *created], organization_id=contract.organization_id, now=now)
    if changed:
        AccessGrant.objects.bulk_update(changed, [*_UPDATED, "updated_at"])
    if created:
        AccessGrant.objects.bulk_create(created)
    return count


def _stamp(grants: Sequence[AccessGrant], *, organization_id: int, now: dt.datetime) -> None:
    """Give each grant the next revision of its institution, in one reservation."""
    revisions = iter(
        sequence_reserve(name=revision_sequence(organization_id), count=len(grants), start=1)
    )
    for grant in grants:
        grant.revision = next(revisions)
        grant.updated_at = now


def grants_forget_plates(*, contracts: Iterable[Subscription], now: dt.datetime) -> int:
    """Erase the plates of these contracts' grants (a closed account), keeping the rows.

    Deleting them would hide the change from controllers that ask for what changed since
    their last revision: each row is revoked under a new revision instead, its plate
    replaced by a placeholder, so an offline allowlist drops it by id. Call it in the
    contracts' institution's scope and transaction.
    """
    grants = list(
        AccessGrant.objects.filter(subscription__in=list(contracts), kind=Kind.PLATE)
        .exclude(credential__startswith=ERASED_PLATE_PREFIX)
        .order_by("id")
    )
    by_institution: dict[int, list[AccessGrant]] = defaultdict(list)
    for grant in grants:
        grant.credential = f"{ERASED_PLATE_PREFIX}{grant.pk}"
        grant.jurisdiction = ""
        grant.state = State.REVOKED
        by_institution[grant.organization_id].append(grant)
    for organization_id, rows in by_institution.items():
        _stamp(rows, organization_id=organization_id, now=now)
    AccessGrant.objects.bulk_update(grants, [*_UPDATED, "credential", "updated_at"])
    return len(grants)


def _match(
    existing: list[AccessGrant],
    wanted: Sequence[Wanted],
    contract: Subscription,
    changed: list[AccessGrant],
    created: list[AccessGrant],
) -> None:
    by_key = {(g.lot_id, g.kind, g.credential, g.valid_from): g for g in existing}
    left_over: dict[tuple[int, str, str], list[AccessGrant]] = defaultdict(list)
    to_place: dict[tuple[int, str, str], list[Wanted]] = defaultdict(list)
    matched: set[int] = set()
    for item in wanted:
        grant = by_key.get(item.key)
        if grant is None:
            to_place[item.key[:3]].append(item)
            continue
        matched.add(grant.pk)
        if _differs(grant, item):
            _apply(grant, item)
            changed.append(grant)
    for grant in existing:
        if grant.pk not in matched:
            left_over[(grant.lot_id, grant.kind, grant.credential)].append(grant)
    for group, items in to_place.items():
        reusable = left_over.get(group, [])
        for item in items:
            if reusable:
                grant = reusable.pop(0)
                _apply(grant, item)
                changed.append(grant)
            else:
                created.append(
                    AccessGrant(
                        organization_id=contract.organization_id,
                        subscription=contract,
                        lot_id=item.lot_id,
                        kind=item.kind,
                        credential=item.credential,
                        jurisdiction=item.jurisdiction,
                        contract_from=item.contract_from,
                        valid_from=item.valid_from,
                        valid_until=item.valid_until,
                        state=item.state,
                    )
                )
    for grants in left_over.values():
        for grant in grants:
            if grant.state != State.REVOKED:
                grant.state = State.REVOKED
                changed.append(grant)
