"""The tenant scope: on everywhere, and the one place allowed to lift it.

Every tenant-owned model (`core.models.TenantOwnedModel`) refuses a query made outside
a scope (django-scopes' `ScopeError`), and inside one sees only its institution's rows.
Who enters which scope:

- a portal request: its institution's (`tenants.middleware.OrganizationMiddleware`);
- a request on the operator's host (back office, admin) by a staff member: the
  institutions they hold a role for, all of them for an operator administrator
  (`staff_scope`, entered by `backoffice.middleware.StaffScopeMiddleware`); anyone
  else there gets no scope;
- a task: the institution it works for, from the id it was given
  (`with scope(organization=organization_id):`);
- a job for every institution (the billing run, the daily activations, expired
  waiting-list offers, the key rotation, a person's contracts on every portal): one
  institution at a time, `for organization in institutions_each(): with scope(...)`,
  so that each institution's rows are read and written under its own guard;
- the metrics' counts per institution (`institutions_counted`): every institution's
  scope at once, as an operator administrator's, for reads grouped by institution.

A machine's request (a gate's API call) comes on any host: its credential, not the host,
names the institution. `credential_holder` finds the one row its key names, outside any
scope, and the caller enters that row's institution's scope before reading anything else.

`every_institution` lifts the guard altogether; it is kept for what has no institution
to go through (the demo loader), and says why at each use. `scopes_disabled` may appear
in this module only (`tests/tenants/test_scoping.py` fails otherwise).

Not tenant data, so never scoped: people (`User`, `Profile`, `Vehicle`: one account and
the same vehicles on every portal), and records that may belong to no institution or to
all of them (`AuditEvent` and `OutboundEmail` with an empty institution, `StaffRole` of an
operator administrator, `OrganizationHost`, `BillingRun` and its parts, `TaxRate`); the back office
narrows those by role (`accounts.roles`). A scope naming no institution
(`organization=None`) opens none (`core.models.TenantOwnedModel`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.models import Model, QuerySet
from django_scopes import scope, scopes_disabled

from .models import Organization

logger = logging.getLogger(__name__)


def institutions_each(
    organizations: QuerySet[Organization] | None = None,
) -> list[Organization]:
    """The institutions (all, active or not, by default), in id order, to go through
    one at a time: `for organization in institutions_each(): with scope(...)`.

    A job that spans institutions then works for one at a time, and a query it forgets
    to narrow still sees only that institution's rows.
    """
    queryset = Organization.objects.all() if organizations is None else organizations
    return list(queryset.order_by("id"))


@contextmanager
def staff_scope(organization_ids: Iterable[int]) -> Iterator[None]:
    """The scope of a back-office request: the institutions the staff member may see.

    An operator administrator's is every institution; anyone else's is the institutions
    of their roles, so a query a view forgot to narrow cannot reach another one's rows.
    """
    with scope(organization=sorted(organization_ids)):
        yield


def credential_holder[M: Model](
    model: type[M], /, *, with_related: tuple[str, ...] = (), **unique_lookup: object
) -> M | None:
    """The one row of a tenant-owned `model` that a machine's credential names (a
    device's key id), read before any scope is entered, or None.

    Only a lookup on unique fields: it finds one row, never a list of another
    institution's; `with_related` joins rows it points at (its lot), of its institution.
    The caller checks the rest of the credential (the key's secret) and then works in the
    row's institution: `with scope(organization=row.organization_id)`.
    """
    fields = [model._meta.get_field(name) for name in unique_lookup]
    if not fields or not all(getattr(field, "unique", False) for field in fields):
        raise ValueError(f"{model.__name__}: look a credential up by a unique field only")
    with scopes_disabled():
        rows = model.objects.filter(**unique_lookup)  # type: ignore[attr-defined]
        return rows.select_related(*with_related).first() if with_related else rows.first()


@contextmanager
def institutions_counted() -> Iterator[dict[int, str]]:
    """Every institution's scope at once, for a read that counts rows per institution
    (the Prometheus metrics); yields each one's slug by id, to label the counts with.

    The scope of an operator administrator: it names each institution, so the guard
    stays on (a row of no institution is still out of reach).
    """
    slugs = {organization.pk: organization.slug for organization in institutions_each()}
    with scope(organization=sorted(slugs)):
        yield slugs


@contextmanager
def every_institution(*, reason: str) -> Iterator[None]:
    """Lift the tenant guard: every institution's rows, unfiltered. Say why in `reason`.

    Only for what has no institution to go through: the demo loader, which fills every
    portal at once, in development. A job that can work one institution at a time goes
    through `institutions_each` instead.
    """
    if not reason.strip():
        raise ValueError("every_institution() needs the reason the guard is lifted")
    logger.debug("tenant scope lifted: %s", reason)
    with scopes_disabled():
        yield
