"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser starts only when an e2e test asks for a page, so `pytest -m "not e2e"` never
launches it (nor imports Playwright: the imports below are lazy or for type checking).
"""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM
# calls made by the test itself. Must be set before Django checks it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from parcauto.tenants.scoping import every_institution
from tests.e2e import axe_audit
from tests.e2e.axe_audit import AxeAudit
from tests.e2e.support import Portal, Steps
from tests.factories import OrganizationFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from parcauto.demo.loader import DemoResult

E2E_DIR = Path(__file__).parent
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("PARCAUTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "viewport(name): 'phone' (390x844, the default) or 'desktop' (1280x800)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e/ is a browser test, whatever its module says.
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_failed_key] = report.failed
    return report


_failed_key = pytest.StashKey[bool]()

# The pages opened by the running test, whatever opened them (fixtures or the test itself).
_audits: list[AxeAudit] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    tally = axe_audit.TALLY
    if tally["audits"]:
        terminalreporter.write_line(
            f"axe-core: {tally['audits']} audits; {tally['loads audited']} of "
            f"{tally['loads']} page loads audited before the test moved on"
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    _audits.clear()  # before the fixtures open this test's pages


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """After the test's last step, its pages' last states are audited too; any serious or
    critical axe finding of the whole test then fails it."""
    result = yield
    for audit in _audits:
        if not audit.page.is_closed():
            audit.page.wait_for_load_state("load")
            audit.check(where="end of test")
    for audit in _audits:
        audit.assert_clean()
    return result


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, a test database of our own: a unit run started at the same time on
    the same server (test_parcauto) must not be dropped under the live server's feet."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] != "django.db.backends.sqlite3":
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_e2e"
    elif test.get("NAME") and test["NAME"] != ":memory:":
        # Same on SQLite's file database: var/test-db-e2e.sqlite3, not the unit run's file.
        path = Path(test["NAME"])
        test["NAME"] = str(path.with_name(f"{path.stem}-e2e{path.suffix}"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _every_portal() -> Iterator[None]:
    # A browser test goes through several portals and the back office: what it then checks
    # in the database is read across them. The live server runs in a thread of its own,
    # where each request enters its own scope, as in production.
    with every_institution(reason="browser tests check what they did on every portal"):
        yield


@pytest.fixture
def browser_locale() -> str:
    """The browser's own language; the portal must ignore it (French first)."""
    return "fr-CA"


def _open_page(browser: Browser, viewport: dict[str, int], locale: str) -> Page:
    """A page in a browser context of its own (its own cookies: another person's computer)."""
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale=locale,
        timezone_id="America/Toronto",
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # CSP refusals, 404s and script errors show up here; Steps fails on any of them.
    errors: list[str] = []
    page.console_errors = errors  # type: ignore[attr-defined]
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.axe = AxeAudit(page)  # type: ignore[attr-defined]
    _audits.append(page.axe)  # type: ignore[attr-defined]
    return page


def _close_page(request: pytest.FixtureRequest, page: Page, suffix: str = "") -> None:
    failed = SCREENSHOTS / f"{_slug(request.node.originalname)}{suffix}-FAILED.png"
    if request.node.stash.get(_failed_key, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=failed, full_page=True)
    else:  # an earlier run's failure is no longer the news
        failed.unlink(missing_ok=True)
        page.axe.check(where="closing")  # type: ignore[attr-defined]
    page.context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, browser_locale: str) -> Iterator[Page]:
    marker = request.node.get_closest_marker("viewport")
    viewport = DESKTOP if marker and marker.args[0] == "desktop" else PHONE
    page = _open_page(browser, viewport, browser_locale)
    yield page
    _close_page(request, page)


@pytest.fixture
def staff_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """The back office, on a staff member's desktop (a second browser, beside `page`)."""
    page = _open_page(browser, DESKTOP, "fr-CA")
    yield page
    _close_page(request, page, "-staff")


@pytest.fixture
def shot(request: pytest.FixtureRequest, page: Page) -> Steps:
    """`shot("03-signup")`: full-page screenshot, accessibility smoke check, French check."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Steps(page, SCREENSHOTS, _slug(request.node.originalname))


@pytest.fixture
def staff_shot(request: pytest.FixtureRequest, staff_page: Page) -> Steps:
    """`shot` for `staff_page`: its screenshots are named <test>-staff-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Steps(staff_page, SCREENSHOTS, f"{_slug(request.node.originalname)}-staff")


@pytest.fixture
def root(live_server: Any) -> Portal:
    """The operator's host (back office, Django admin): http://localhost:<port>."""
    return Portal(f"http://localhost:{urlsplit(live_server.url).port}")


@pytest.fixture
def demo(live_server: Any, settings: Any) -> DemoResult:
    """`manage.py load_demo_data` as on a developer's machine: ciusse-chus.localhost, cisso...,
    lot 1085 / product 5569, lots 1461 and 1534 / product 7117, the demo staff accounts."""
    from parcauto.demo.loader import load_demo_data

    settings.PARCAUTO_BASE_DOMAIN = "localhost"
    return load_demo_data(base_domain="localhost")


@pytest.fixture
def portal(live_server: Any) -> Callable[[str], Portal]:
    """`portal("cisso")`: the base URL of that institution's host on the live server."""
    port = urlsplit(live_server.url).port

    def for_slug(slug: str) -> Portal:
        return Portal(f"http://{slug}.localhost:{port}")

    return for_slug


# The institutions of the guides (tests.factories.OrganizationFactory, host <slug>.localhost).
@pytest.fixture
def chus(portal: Callable[[str], Portal]) -> Portal:
    OrganizationFactory(
        slug="ciusse-chus",
        name_fr="CIUSSS de l'Estrie - CHUS",
        name_en="CIUSSS de l'Estrie - CHUS",
        hostname="ciusse-chus.localhost",
    )
    return portal("ciusse-chus")


@pytest.fixture
def cisso(portal: Callable[[str], Portal]) -> Portal:
    OrganizationFactory(
        slug="cisso",
        name_fr="CISSS de l'Outaouais",
        name_en="Outaouais Integrated Health and Social Services Centre",
        hostname="cisso.localhost",
    )
    return portal("cisso")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
