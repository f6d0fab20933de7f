"""The tenant scope in tests.

Each test runs in the scope of the test institution (the `organization` fixture; see
conftest.py), as a request on its portal does, so a query missing its institution's
filter fails. A test that also uses a second institution works with its rows:
- through builders that take the institution (or a row of it) first and are decorated
  `@within_its_institution`: they create and read as that institution;
- in a `with within(other_organization):` block for anything else.
Requests (the test client) and tasks start in no scope, as in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.tasks import Task
from django_scopes import scope
from django_scopes.state import state

from parcauto.tenants.models import Organization


@contextmanager
def within(organization: Organization) -> Iterator[None]:
    """Work as `organization`: the rows of a second institution in a test."""
    with scope(organization=organization):
        yield


def within_its_institution[**P, R](builder: Callable[P, R]) -> Callable[P, R]:
    """A test-data builder run in the scope of its first argument's institution.

    The first argument is an Organization, or a row that has one (an offer, a contract).
    """

    @wraps(builder)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        first: Any = args[0]
        organization = first if isinstance(first, Organization) else first.organization
        with within(organization):
            return builder(*args, **kwargs)

    return wrapper


def unscoped[**P, R](call: Callable[P, R]) -> Callable[P, R]:
    """`call` made to start in no scope at all, as a request or a task in production.

    django-scopes has no public way to leave every scope, hence its context variable.
    """

    @wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = state.set(None)
        try:
            return call(*args, **kwargs)
        finally:
            state.reset(token)

    return wrapper


def worker_call[R](task: Task[..., R], /, **kwargs: Any) -> R:
    """Run `task` at once as a worker does: in no scope, whatever the test's."""
    return unscoped(task.call)(**kwargs)
