"""What a request may answer, as the matrix declares it, and what a response did answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpResponse

from .routes import redirect_target
from .world import ROLES, Host, Role, World

THIS_PAGE = "<this page>"


@dataclass(frozen=True)
class Outcome:
    """A status, and for a redirect the path it goes to. A login page's `next` is part of it:
    `?next=<this page>` when it brings the person back to the page asked for."""

    status: int
    to: str | None = None

    def __str__(self) -> str:
        return f"{self.status} to {self.to}" if self.to else str(self.status)


OK = Outcome(200)
NO_CONTENT = Outcome(204)
E400 = Outcome(400)
E401 = Outcome(401)  # a bearer token is asked for (Prometheus' /metrics)
E403 = Outcome(403)
E404 = Outcome(404)
E405 = Outcome(405)
LOGIN = Outcome(302, f"/accounts/login/?next={THIS_PAGE}")
ALOGIN = Outcome(302, f"/admin/login/?next={THIS_PAGE}")  # which sends on to LOGIN
TO_ADMIN = Outcome(302, "/admin/")  # the admin's "does not exist": another's row
TO_CHANGE = Outcome(302, f"{THIS_PAGE}change/")  # the admin's object URL, to its change page
TO_PROF = Outcome(302, "/profil/")  # signed in, no profile yet: fill it in first
TO_DASH = Outcome(302, "/tableau-de-bord/")


def to(path: str) -> Outcome:
    return Outcome(302, path)


def observed(response: HttpResponse, asked: str) -> Outcome:
    """The outcome as the table writes it; `asked` is the path requested."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return Outcome(response.status_code)
    location = urlsplit(response["Location"])
    if location.netloc and not location.netloc.endswith("testserver"):
        # Another site's page (Google Wallet's): where it goes, not what it carries.
        return Outcome(response.status_code, f"{location.scheme}://{location.netloc}/")
    path, next_url = redirect_target(response)
    if next_url is not None:
        path += f"?next={THIS_PAGE if next_url == asked else next_url}"
    elif path == f"{asked}change/":
        path = f"{THIS_PAGE}change/"
    return Outcome(response.status_code, path)


def filled(outcome: Outcome, kwargs: dict[str, Any]) -> Outcome:
    """A redirect to the object's own page is declared with its arguments: `{pk}`."""
    if outcome.to is None or "{" not in outcome.to:
        return outcome
    return Outcome(outcome.status, outcome.to.format_map(kwargs))


Arguments = Callable[[World], dict[str, Any]]


def _none(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Entry:
    """One row of the matrix: where and how the URL is asked, and what each role gets."""

    host: Host
    outcomes: dict[Role, Outcome]
    method: str = "get"
    data: Arguments = _none
    any_host: bool = False  # else a 404 on the other kind of host (portal / operator's)


# The columns a row names one by one; the patrol agents' follow from them unless given.
NAMED_ROLES = [role for role in ROLES if role not in (Role.PATROL_2, Role.PATROL_1)]


def _patrol_default(host: Host, named: dict[Role, Outcome]) -> tuple[Outcome, Outcome]:
    """What a patrol agent gets where a row does not say: on a portal, what the agent of
    their institution gets (a person with a staff role and no profile); on the operator's
    host, what a customer gets (the back office and `/admin/` are not theirs)."""
    if host is Host.PORTAL:
        return named[Role.OTHER_AGENT], named[Role.AGENT]
    return named[Role.CUSTOMER_A], named[Role.CUSTOMER_A]


def row(
    host: Host,
    *outcomes: Outcome,
    method: str = "get",
    patrol: tuple[Outcome, Outcome] | None = None,
) -> Entry:
    """Outcomes in the order of the columns (`world.Role`) but the patrol agents, whose
    pair (institution 2's, institution 1's) is `patrol`, or else `_patrol_default`."""
    if len(outcomes) != len(NAMED_ROLES):
        raise ValueError(f"{len(NAMED_ROLES)} outcomes expected, one per role, got {len(outcomes)}")
    named = dict(zip(NAMED_ROLES, outcomes, strict=True))
    patrol_2, patrol_1 = patrol or _patrol_default(host, named)
    return Entry(host, named | {Role.PATROL_2: patrol_2, Role.PATROL_1: patrol_1}, method)


def portal(*outcomes: Outcome, **how: Any) -> Entry:
    return row(Host.PORTAL, *outcomes, **how)


def root(*outcomes: Outcome, **how: Any) -> Entry:
    return row(Host.ROOT, *outcomes, **how)
