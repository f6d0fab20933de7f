"""Tables that scroll sideways on a phone (Bootstrap's .table-responsive) can be reached and
scrolled with the keyboard: the scrolling box is a tab stop, a region with a name (WCAG
2.1.1; axe's scrollable-region-focusable). The browser tests run axe on the pages they show;
these tests hold every template to it, phone or not."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.backoffice.conftest import signed_in
from tests.backoffice.requests import NOW, QUEUE, offer_of, submitted_request

TEMPLATES = Path(__file__).resolve().parents[2] / "parcauto"
# The opening tag of a scrolling wrapper, attributes and template tags included.
WRAPPER = re.compile(r"<div\b(?:[^>{]|\{[^}]*\})*\btable-responsive\b(?:[^>{]|\{[^}]*\})*>")


def test_every_sideways_scrolling_table_of_every_template_is_a_named_tab_stop():
    wrappers = {
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in WRAPPER.findall(path.read_text(encoding="utf-8"))
    }
    assert len(wrappers) >= 15  # the pattern still finds them (request detail, billing, ...)
    unreachable = [
        wrapper
        for wrapper in wrappers
        if 'tabindex="0"' not in wrapper
        or 'role="region"' not in wrapper
        or not re.search(r'aria-label(ledby)?="[^"]+"', wrapper)
    ]
    assert unreachable == []


class _Regions(HTMLParser):
    """The .table-responsive boxes of a page, and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[dict[str, str | None]] = []
        self.texts: dict[str, str] = {}
        self._open: list[str | None] = []  # the id of each open element (None: no id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "table-responsive" in (attributes.get("class") or "").split():
            self.boxes.append(attributes)
        if tag not in {"br", "img", "input", "meta", "link", "hr"}:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.texts[attributes["id"] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in {"br", "img", "input", "meta", "link", "hr"}:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in filter(None, self._open):
            self.texts[element_id] += data


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_the_request_pages_vehicle_and_consent_tables_are_named_tab_stops(manager, organization):
    request = submitted_request(offer_of(organization), start=NOW.date())
    response = signed_in(manager).get(f"{QUEUE}{request.pk}/")
    assert response.status_code == 200
    page = _Regions()
    page.feed(response.content.decode())

    names = []
    for box in page.boxes:
        assert (box.get("tabindex"), box.get("role")) == ("0", "region")
        names.append(box.get("aria-label") or page.texts[box["aria-labelledby"] or ""].strip())
    assert names == ["Véhicules", "Consentements"]
