"""What the fuzz test sends, where, and as whom.

Targets are found by asking every page of the matrix as each role that may open it and
reading its forms (`forms.py`): a form is a target of the URL it posts to, for that role,
with the values the page filled in. Query parameters a view reads outside any form, and
the fields of views only scripts post to, cannot be read from a page: they are declared
below (`QUERY_PARAMETERS`, `POSTED_FIELDS`), and `test_fuzz` checks the code reads no
other literal query parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from hypothesis import strategies as st

from .arguments import arguments_for
from .expectations import declared
from .forms import Form, forms_of, split_action
from .outcomes import E400, OK, Entry
from .routes import Route, url_routes
from .values import POTENT, VALUES, hint, uploads
from .world import ROLES, Host, Role, World

# Every target also sends these: paginated lists read `page`, logins read `next`.
COMMON_PARAMETERS = ("page", "next")
# Read by views outside any form (the wizard's prefill links, file language, filters).
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "payments:sandbox-frame": ("lang",),
    "portal:subscription_new": ("lot", "category", "product", "modifier"),
    # htmx asks it with step 1's fields each time a choice changes.
    "portal:subscription_offer": (
        "lot",
        "category",
        "product",
        "access_code",
        "start_date",
        "end_date",
    ),
    "portal:subscription_vehicles": ("vehicule",),
    # The printed notice's QR code: the number, prefilled.
    "portal:notice_lookup": ("numero",),
    "portal:vehicle_models": ("make", "vehicle-make"),
    "portal:subscription_contract": ("langue",),
    "portal:subscription_receipt": ("langue",),
    # drf-spectacular's schema and docs views read these.
    "api:schema": ("format", "lang"),
    "api:docs": ("lang", "script"),
    "backoffice:queue": ("select", "page"),
    "wallets:apple_changed_serials": ("passesUpdatedSince",),
    "portal:faq": ("q",),
    # The revenue page's link to its CSV carries the page's filters.
    "backoffice:billing_revenue_csv": ("first_day", "last_day", "organization"),
    # So does the notice list's link to its CSV.
    "backoffice:notices_csv": (
        "organization",
        "lot",
        "agent",
        "state",
        "issued_from",
        "issued_to",
        "text",
    ),
    "admin:login": ("next",),
    "admin:autocomplete": ("term", "app_label", "model_name", "field_name"),
}
# What such a URL is asked with when its parameters are left alone, and by whom where the
# matrix's request (without them) is refused: the back office's one autocomplete, a staff
# role's person, is the operator's.
QUERY_DEFAULTS: dict[str, dict[str, list[str]]] = {
    "admin:autocomplete": {
        "app_label": ["accounts"],
        "model_name": ["staffrole"],
        "field_name": ["user"],
        "term": ["a"],
    },
}
ROLES_WITH_PARAMETERS: dict[str, list[Role]] = {
    "admin:autocomplete": [Role.OPERATOR],
    # Phones, not people: what a session brings changes nothing.
    "wallets:apple_changed_serials": [Role.ANONYMOUS],
}
# Views that only a script posts to, or whose form the world's pages never show.
POSTED_FIELDS: dict[str, tuple[str, ...]] = {
    "payments:sandbox-tokenize": ("cardholder", "card_number", "expiry", "cvd", "lang"),
    "portal:subscription_waitlist_join": (
        "lot",
        "category",
        "waitlist_product",
        "access_code",
        "back_to",
    ),
    "portal:set_language": ("language", "next"),
    # A payroll-deduction permit's summary sends the request with these (the world's
    # draft may be another permit's, whose summary shows none of them).
    "portal:subscription_summary": (
        "request",
        "authorized",
        "accepted_payment_conditions",
        "employee_number",
    ),
    # Phones post JSON (tests/wallets/test_webservice_fuzz.py sends them with a valid
    # token); a form here must be refused as cleanly.
    "wallets:apple_registration": ("pushToken",),
    "wallets:apple_log": ("logs",),
    # The world's request is a modification: its page shows no cancellation decision.
    "backoffice:desk_cancellation_confirm": (),
    "backoffice:desk_cancellation_refuse": ("reason",),
    # The world's request is a modification: its page shows no contest decision.
    "backoffice:desk_contest_decide": ("decision", "reason"),
    # A's notice page shows the payment form while the notice is payable: declared so
    # that the target never depends on the state another case left it in.
    "portal:notice_pay": ("card_token", "email"),
    # A's page shows why A's account cannot be closed, not the form: declared so that a
    # refused closure is fuzzed too, as every role.
    "portal:account_close": ("password", "understood"),
    # The request's page shows its reply form only while the request is open: declared so
    # that the target never depends on the state another test left it in.
    "portal:request_reply": ("body", "attachment"),
    # Also read from the wizard's step 2 page; declared so that the target never depends
    # on the state that page is in when the targets are gathered.
    "portal:subscription_vehicle_add": (
        "vehicles",
        *(
            f"vehicle-{name}"
            for name in ("year", "make", "model", "colour", "plate", "jurisdiction")
        ),
    ),
}
API_FUZZED_BY_SCHEMA = {"api:decisions", "api:allowlist", "api:plate_checks"}
CSRF_SECRET = "f" * 32  # a valid CSRF token is its cookie's secret itself
MISSING = object()  # a field left out of the request


@dataclass(frozen=True)
class Target:
    """One form (or set of query parameters) of one URL, as one role sends it."""

    key: str
    role: Role
    host: Host
    method: str
    path: str  # with the query string a POST form's action carries
    names: tuple[str, ...]
    defaults: dict[str, list[str]] = field(hash=False, compare=False)
    files: frozenset[str] = frozenset()
    hints: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def values(self, name: str) -> st.SearchStrategy[Any]:
        if name in self.files:
            return uploads
        return VALUES[self.hints.get(name) or hint(name)]


@dataclass(frozen=True)
class Case:
    target: Target
    data: dict[str, Any]

    def __str__(self) -> str:
        target = self.target
        return f"{target.role}: {target.method.upper()} {target.path} {_short(self.data)}"


def _short(data: dict[str, Any]) -> str:
    """The data sent, its 10,000-character strings cut short."""
    text = repr(data)
    return text if len(text) < 300 else text[:300] + "…"


ROUTES: dict[str, Route] = {route.key: route for route in url_routes()}
DECLARED: dict[str, Entry] = {key: entry for key, entry in declared().items() if key in ROUTES}


def reached(key: str) -> list[Role]:
    """The roles whose request gets to the view's own work (not refused or sent away)."""
    outcomes = DECLARED[key].outcomes
    return ROLES_WITH_PARAMETERS.get(key) or [r for r in ROLES if outcomes[r] in (OK, E400)]


def fuzzed_keys() -> list[str]:
    """Every URL some role reaches, and the POST-only views (reached through their forms).

    The API's device endpoints take JSON from a device, not forms from a person: every
    operation of its OpenAPI schema is fuzzed by schemathesis (tests/api/test_schemathesis).
    """
    return sorted(
        key
        for key, entry in DECLARED.items()
        if (reached(key) or entry.method == "post") and key not in API_FUZZED_BY_SCHEMA
    )


def path_of(world: World, key: str) -> str:
    fill = arguments_for(key)
    return ROUTES[key].path(fill(world) if fill else {})


def key_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    key = match.view_name if match.url_name else match.route
    return key if key in DECLARED else None


def _with_common(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*names, *COMMON_PARAMETERS]))


def _get(world: World, role: Role, host: Host, path: str) -> HttpResponse:
    with transaction.atomic():
        response = world.client(role, host).get(path)
        transaction.set_rollback(True)
    return response


def _form_target(role: Role, host: Host, form: Form) -> Target | None:
    path, query = split_action(form.action)
    key = key_of(path)
    if key is None:
        return None
    if form.method == "post" and query:
        path = form.action
    return Target(
        key=key,
        role=role,
        host=host,
        method=form.method,
        path=path,
        names=_with_common(form.names),
        defaults=form.defaults(),
        files=frozenset(f.name for f in form.fields if f.kind == "file"),
        hints={f.name: hint(f.name, f.kind, f.value) for f in form.fields},
    )


@dataclass(frozen=True)
class Found:
    targets: dict[str, list[Target]]
    broken: dict[str, list[str]]  # pages that fail as they are, before any odd value


def targets_found(world: World) -> Found:
    """Every target of every fuzzed URL: its pages' forms, then the declared parameters."""
    found: dict[str, dict[Target, None]] = {key: {} for key in fuzzed_keys()}
    broken: dict[str, list[str]] = {}
    for key in fuzzed_keys():
        entry, path = DECLARED[key], path_of(world, key)
        if key in POSTED_FIELDS:
            for role in ROLES:
                names = _with_common(POSTED_FIELDS[key])
                found[key][Target(key, role, entry.host, "post", path, names, {})] = None
        for role in reached(key) if entry.method == "get" else []:
            names = _with_common(QUERY_PARAMETERS.get(key, ()))
            defaults = QUERY_DEFAULTS.get(key, {})
            found[key][Target(key, role, entry.host, "get", path, names, defaults)] = None
            try:
                response = _get(world, role, entry.host, path)
            except Exception as error:  # the test client re-raises what the view raised
                broken.setdefault(key, []).append(f"{role}: GET {path}: {error!r:.200}")
                continue
            if response.status_code >= 500:
                broken.setdefault(key, []).append(f"{role}: GET {path}: {response.status_code}")
            if "html" in response.get("Content-Type", ""):
                for form in forms_of(response.content.decode(), path):
                    target = _form_target(role, entry.host, form)
                    if target is not None and target.key in found:
                        found[target.key][target] = None
    return Found({key: list(targets) for key, targets in found.items()}, broken)


def _case(target: Target, changes: dict[str, Any]) -> Case:
    data: dict[str, Any] = {name: list(sent) for name, sent in target.defaults.items()}
    data |= changes
    return Case(target, {name: value for name, value in data.items() if value is not MISSING})


@st.composite
def cases(draw: st.DrawFn, targets: list[Target]) -> Case:
    """A target's form with one to three fields replaced by odd values, or left out; a form
    with more fields is picked more often."""
    target = draw(st.sampled_from([t for t in targets for _name in t.names] or targets))
    changes = {}
    if target.names:
        for name in draw(st.lists(st.sampled_from(target.names), min_size=1, max_size=3)):
            changes[name] = draw(st.one_of(target.values(name), st.just(MISSING)))
    return _case(target, changes)


def sweep(targets: list[Target]) -> list[Case]:
    """Each field of the URL (but `page` and `next`) with each potent value of its kind,
    the rest of its form as the page filled it in, in the largest form that has it."""
    swept = []
    names = dict.fromkeys(n for t in targets for n in t.names if n not in COMMON_PARAMETERS)
    for name in names:
        target = max((t for t in targets if name in t.names), key=lambda t: len(t.names))
        kind = target.hints.get(name) or hint(name)
        for value in [] if name in target.files else POTENT[kind]:
            swept.append(_case(target, {name: [value]}))
    return swept


def send(world: World, case: Case) -> HttpResponse:
    """The request, with a valid CSRF token, in a savepoint rolled back after it."""
    target = case.target
    client = world.client(target.role, target.host, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    data = dict(case.data)
    with transaction.atomic():
        if target.method == "get":
            response = client.get(target.path, data)
        else:
            data["csrfmiddlewaretoken"] = CSRF_SECRET
            response = client.post(target.path, data)
        transaction.set_rollback(True)
    return response
