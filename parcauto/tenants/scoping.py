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
  so that each institution's rows are read and written under its own guard.

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

from django.db.models import QuerySet
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
