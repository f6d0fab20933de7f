"""Every URL the project answers, read from the URL conf itself, and how to call one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import admin
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern. `key` is its namespaced name, or its route when it has none."""

    key: str
    route: str
    name: str | None

    @property
    def arguments(self) -> set[str]:
        return {a or b for a, b in _ARGUMENT.findall(self.route)}

    def path(self, kwargs: dict[str, Any]) -> str:
        if self.name:
            return reverse(self.name, kwargs=kwargs)
        path = re.sub(r"\(\?P<(\w+)>.*?\)(?=/|\$|$)", lambda m: str(kwargs[m.group(1)]), self.route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
        return "/" + path.replace("^", "").replace("$", "")


def _walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            name = pattern.name and ":".join(n for n in (namespace, pattern.name) if n)
            yield Route(key=name or route, route=route, name=name)


def url_routes() -> list[Route]:
    """Every pattern of the URL conf, allauth's and the admin's included."""
    return list(_walk(get_resolver().url_patterns, "", ""))


ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history", "object")
_ADMIN_OBJECT_VIEWS = ("change", "delete", "history", "object")


def admin_labels() -> set[str]:
    """Every model registered in the admin, as "app_label.model_name"."""
    return {model._meta.label_lower for model in admin.site._registry}


def admin_key(label: str, view: str) -> str:
    """The key of a model's admin view: its URL name, or the route of the unnamed one that
    sends an object's URL on to its change page."""
    app, model = label.split(".")
    if view == "object":
        return f"admin/{app}/{model}/<path:object_id>/"
    return f"admin:{app}_{model}_{view}"


def admin_label(key: str) -> str | None:
    """The model whose admin view names an object under this key, if any."""
    for label in admin_labels():
        if any(key == admin_key(label, view) for view in _ADMIN_OBJECT_VIEWS):
            return label
    return None


def redirect_target(response: HttpResponse) -> tuple[str, str | None]:
    """Where a redirect goes: its path, and the `next` it carries."""
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next", [None])[0]
