"""The subscription wizard with a keyboard on a phone: a refused step puts the focus on its
error summary (not back at the top of the page), and the step's buttons are reached with
Tab in the order they show, top to bottom."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Portal, Steps
from tests.e2e.test_service_desk import product_of
from tests.e2e.test_subscription_journeys import choose_offer, log_in, person_with_profile

pytestmark = pytest.mark.e2e


def test_a_refused_step_focuses_its_errors_and_tab_follows_the_buttons(
    page: Page, shot: Steps, cisso: Portal
) -> None:
    lot = product_of("cisso").lots.get()
    person_with_profile("luc.gagnon@example.com", first_name="Luc", last_name="Gagnon")
    log_in(page, cisso, "luc.gagnon@example.com")
    page.goto(cisso.url("/abonnements/nouveau/"))
    choose_offer(page, lot=lot.label, category="Employé du CISSSO")
    page.get_by_role("radio", name=re.compile("^5432 - Permis multisites")).check()

    # The conditions are not accepted: the step comes back refused.
    actions = page.locator(".wizard-actions > :is(a, button)")
    actions.last.click()
    expect(page).to_have_url(cisso.pattern("/abonnements/nouveau/"))
    summary = page.locator("#form-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    shot("01-refused")

    # On the phone the buttons stand one above the other, in the page's order: Tab goes down.
    expect(actions).to_have_count(2)
    first, second = (actions.nth(i).bounding_box() for i in range(2))
    assert first and second and first["y"] + first["height"] <= second["y"]
    actions.first.focus()
    page.keyboard.press("Tab")
    expect(actions.last).to_be_focused()
