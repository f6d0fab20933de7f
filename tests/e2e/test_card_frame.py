"""The sandbox card iframe in a page, as the payment step and "Mettre à jour la carte de
crédit" frame it: the cardholder's name first, and the iframe tall enough for every field
and every refusal, on a phone too (payments/card-tokenization.js and sandbox-frame.js)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.support import FRAME_SHOWS_ALL_JS

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Portal

pytestmark = pytest.mark.e2e

# What payments/card_frame.html puts around the iframe, in a page of the portal's origin.
PARENT = """<!DOCTYPE html><html lang="fr-CA"><head><title>Carte</title></head><body>
<main><form><input type="hidden" name="card_token">
<div data-card-frame data-origin="{origin}" data-busy-text="…" data-timeout-error="Délai"
     data-default-error="Refusée">
  <iframe src="/passerelle-test/carte/?lang=fr" title="Carte de crédit" height="300"
          style="width: 100%" data-card-iframe></iframe>
  <div tabindex="-1" aria-live="assertive" data-card-error></div>
  <p aria-live="polite" data-card-status></p>
</div>
<button>Soumettre</button></form></main>
<script src="/static/payments/card-tokenization.js"></script></body></html>"""


def _open(page: Page, chus: Portal) -> None:
    url = chus.url("/essai-cadre-carte/")
    page.route(
        url,
        lambda route: route.fulfill(content_type="text/html", body=PARENT.format(origin=chus.base)),
    )
    page.goto(url)
    page.wait_for_function(FRAME_SHOWS_ALL_JS)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_name_comes_first_and_every_refusal_shows_in_the_frame(
    page: Page, chus: Portal, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, chus)
    frame = page.frame_locator("iframe[data-card-iframe]")
    labels = frame.locator("label").all_inner_texts()
    assert labels == [
        "Nom du titulaire",
        "Numéro de carte",
        "Date d'expiration (MM/AA)",
        "Code de sécurité (CVD)",
    ]
    before = page.locator("iframe[data-card-iframe]").evaluate("f => f.clientHeight")

    page.get_by_role("button", name="Soumettre").click()

    frame.locator("#card-name-error").filter(has_text="Entrez le nom du titulaire").wait_for()
    # Each field is found by its label and announced invalid, with its message.
    for label in labels:
        assert frame.get_by_label(label).get_attribute("aria-invalid") == "true", label
    assert len([text for text in frame.locator(".error").all_inner_texts() if text]) == 4
    page.wait_for_function(FRAME_SHOWS_ALL_JS)  # grown: the four messages show
    after = page.locator("iframe[data-card-iframe]").evaluate("f => f.clientHeight")
    assert after > before
