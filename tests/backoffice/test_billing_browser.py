"""In a real browser: a running billing run's page follows the run through htmx polling,
under the site's CSP, and stops asking once the run has ended."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# would be refused without this (as in tests/e2e/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from parcauto.billing.models import BillingRun
from tests.backoffice.requests import NOW
from tests.e2e.axe_audit import AxeAudit

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("PARCAUTO_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def operator_page(live_server, operator) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(operator)  # the second factor is the login's business, tested elsewhere
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="fr-CA", timezone_id="America/Toronto")
        context.set_default_timeout(10_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        errors: list[str] = []
        page.console_errors = errors  # type: ignore[attr-defined]
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.axe = AxeAudit(page)  # type: ignore[attr-defined]
        yield page
        browser.close()


def test_a_running_runs_page_follows_it_until_it_ends(live_server, operator_page, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr("parcauto.backoffice.views.billing.PROGRESS_EVERY_SECONDS", 1)
    run = BillingRun.objects.create(
        run_date=NOW.date(), status=BillingRun.Status.RUNNING, started_at=NOW, phase="invoice"
    )
    page = operator_page
    page.goto(f"{live_server.url}/gestion/facturation/cycles/{run.pk}/")
    expect(page.get_by_text("Étape 2 sur 6\u00a0: Création des factures")).to_be_visible()

    BillingRun.objects.filter(pk=run.pk).update(phase="charge", contracts_seen=1234)
    expect(page.get_by_text("Étape 3 sur 6\u00a0: Perception des paiements")).to_be_visible()
    expect(page.locator("#run-progress dd").get_by_text("1234", exact=True)).to_be_visible()

    BillingRun.objects.filter(pk=run.pk).update(
        status=BillingRun.Status.FINISHED, phase="", finished_at=NOW
    )
    expect(page.locator("#run-progress .badge")).to_have_text("Terminée")
    expect(page.locator("#run-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("header")).to_have_count(1)  # the part replaced, not a page nested
    assert page.console_errors == []  # type: ignore[attr-defined]
    page.axe.check(where="the run ended")  # type: ignore[attr-defined]
    page.axe.assert_clean()  # type: ignore[attr-defined]
    # Under Playwright's sync API this test's ORM calls got a connection of their own,
    # which PostgreSQL would still hold when the test database is dropped.
    connections.close_all()
