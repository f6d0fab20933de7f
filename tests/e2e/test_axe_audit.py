"""The axe-core audit that every browser test runs finds what it should, and says where."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.support import Portal

pytestmark = pytest.mark.e2e

# Pale grey text (2.3:1) and a scrolling box the keyboard cannot reach, on the portal's origin.
BROKEN = """<!DOCTYPE html><html lang="fr-CA"><head><title>Essai</title></head><body>
<main><h1>Essai</h1><p style="color: #aaa">Texte pâle</p>
<div id="wide" style="width: 10rem; overflow-x: auto"><table><tr>
<td style="white-space: nowrap">Une ligne de tableau plus large que sa boîte</td></tr></table></div>
</main></body></html>"""


def test_a_serious_finding_is_reported_with_its_rule_element_and_help(page: Page, chus: Portal):
    url = chus.url("/essai-axe/")
    page.route(url, lambda route: route.fulfill(content_type="text/html", body=BROKEN))
    page.goto(url)

    page.axe.check(where="01-broken")  # type: ignore[attr-defined]
    with pytest.raises(AssertionError) as failure:
        page.axe.assert_clean()  # type: ignore[attr-defined]
    message = str(failure.value)
    assert "color-contrast (serious)" in message
    assert f"on {url} [" in message  # [on load] or [01-broken]: whichever came first
    assert (
        "\n    p: Fix any of the following: Element has insufficient color contrast of 2.32"
        in message
    )
    assert "scrollable-region-focusable (serious)" in message
    assert "\n    #wide: Fix any of the following: Element should have focusable content" in message
    assert "<https://dequeuniversity.com/rules/axe/4.14/color-contrast" in message

    page.goto("about:blank")  # nothing left for the end of the test to report
