"""The forms a page offers, read from its HTML: where each one goes and what it sends."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

# What a browser sends by itself, or what the fuzz test keeps valid (the CSRF token).
NOT_FUZZED = {"csrfmiddlewaretoken"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # the input's type ("text", "hidden", "checkbox"...), "select" or "textarea"
    value: str | None  # what the page sends by default; None: nothing (an unticked box)


@dataclass(frozen=True)
class Form:
    action: str  # a path, with the query string the action carries
    method: str  # "get" or "post"
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return sorted({field.name for field in self.fields} - NOT_FUZZED)

    def defaults(self) -> dict[str, list[str]]:
        """What the form sends untouched: the values the page filled in."""
        sent: dict[str, list[str]] = {}
        for field in self.fields:
            if field.value is not None and field.kind not in ("submit", "button", "file"):
                sent.setdefault(field.name, []).append(field.value)
        return sent


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: dict[str, str] | None = None
        self._fields: list[Field] = []
        self._elsewhere: list[str] = []  # the formaction of its buttons
        self._select: tuple[str, str | None, bool] | None = None  # name, first, selected
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form, self._fields, self._elsewhere = found, [], []
            return
        if self._form is None:
            return
        submits = tag == "button" or found.get("type") == "submit"
        if submits and found.get("formaction"):  # this button sends the form elsewhere
            self._elsewhere.append(found["formaction"])
        name = found.get("name")
        if tag == "option" and self._select is not None:
            self._option(found)
        elif not name:
            return
        elif submits:
            self._fields.append(Field(name, "submit", None))
        elif tag == "input":
            kind = found.get("type", "text").lower()
            ticked = kind not in ("checkbox", "radio") or "checked" in found
            value = found.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._fields.append(Field(name, kind, value if ticked else None))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = (name, None, False)

    def _option(self, found: dict[str, str]) -> None:
        assert self._select is not None
        name, first, chosen = self._select
        value = found.get("value", "")
        if "selected" in found and not chosen:
            self._select = (name, value, True)
        elif first is None:
            self._select = (name, value, False)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._fields.append(Field(name, "textarea", "".join(text)))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, value, _chosen = self._select
            self._fields.append(Field(name, "select", value))
            self._select = None
        elif tag == "form" and self._form is not None:
            method = "post" if self._form.get("method", "get").lower() == "post" else "get"
            for action in [self._form.get("action") or self.page, *self._elsewhere]:
                self.forms.append(Form(urljoin(self.page, action), method, tuple(self._fields)))
            self._form = None


def forms_of(html: str, page: str) -> list[Form]:
    """Every form of the page, its action resolved against the page's path."""
    parser = _Parser(page)
    parser.feed(html)
    return parser.forms


def split_action(action: str) -> tuple[str, dict[str, list[str]]]:
    """A form's action: its path, and what its query string already sends."""
    parts = urlsplit(action)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return parts.path, query
