"""Issue 9, finding 7 in a browser: wrong access codes typed into step 1 (the permit list
is refreshed by htmx) until the limit; the next code, the right one, shows the 429 message
in place of the page, in French, accessible, and the reserved permit stays hidden."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from parcauto.demo.catalog import VIP_ACCESS_CODE
from tests.e2e.support import Portal, Steps, accessibility_problems, field, heading
from tests.e2e.test_subscription_journeys import (
    choose_offer,
    log_in,
    open_menu_link,
    person_with_profile,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from parcauto.demo.loader import DemoResult

CODE = "Vous avez un code d'accès?"


def _type_code(page: Page, code: str) -> None:
    page.evaluate(
        """() => { window.offerSettled = new Promise((resolve) => {
             document.body.addEventListener('htmx:afterSettle', resolve, {once: true});
           }); }"""
    )
    field(page, CODE).fill(code)
    field(page, CODE).dispatch_event("change")
    page.evaluate("() => window.offerSettled.then(() => true)")


def test_wrong_access_codes_are_stopped_with_the_time_to_wait(
    page: Page, shot: Steps, demo: DemoResult, portal: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.PARCAUTO_RATE_LIMITS = settings.PARCAUTO_RATE_LIMITS | {
        "access_code": "2/15m/user,50/15m/ip"
    }
    cisso: Portal = portal("cisso")
    person_with_profile("devine@example.com", first_name="Denis")
    log_in(page, cisso, "devine@example.com")
    open_menu_link(page, "+ AJOUTER UN ABONNEMENT")
    choose_offer(
        page,
        lot="1461 - Hôpital de Hull - 116 boul. Lionel-Émond, J8Y 1W7, Gatineau, QC",
        category="Employé du CISSSO",
    )
    page.locator("#access-code-toggle").click()  # the <details> that holds the field
    for code in ("DEVINE-1", "DEVINE-2"):
        _type_code(page, code)
        unknown = "Ce code d'accès ne donne accès à aucun abonnement"
        expect(page.get_by_text(unknown)).to_be_visible()

    _type_code(page, VIP_ACCESS_CODE)
    expect(heading(page)).to_have_text("Trop de tentatives")
    # A fixed window: what is left of it, at most its 15 minutes.
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Trop de tentatives\. Veuillez réessayer dans ([1-9]|1[0-5]) minutes?\.$")
    )
    expect(page.get_by_text("7116 -")).to_have_count(0)
    assert accessibility_problems(page) == []
    # The browser reports any 4xx answer to a request of the page: this one is expected.
    errors = page.console_errors  # type: ignore[attr-defined]
    assert errors == [
        "Failed to load resource: the server responded with a status of 429 (Too Many Requests)"
    ]
    errors.clear()
    shot("01-too-many-codes")
    shot.assert_all_french()
