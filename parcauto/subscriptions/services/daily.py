"""Daily jobs over every institution's contracts, one institution at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django_scopes import scope

from parcauto.core.clock import local_today
from parcauto.tenants.scoping import institutions_each

Job = Callable[..., int]


def each_institution(job: Job, *, now: dt.datetime) -> int:
    """`job(organization=, today=, now=)` in each institution's own scope; the total.

    A job for every institution goes through them one at a time, so a query it forgets
    to narrow still sees only that institution's rows."""
    total = 0
    for organization in institutions_each():
        with scope(organization=organization):
            total += job(organization=organization, today=local_today(now), now=now)
    return total
