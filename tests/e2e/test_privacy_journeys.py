"""Law 25 in a real browser, on a phone: "Mes données" prepared by a worker while the page
shows its progress, then downloaded; and an account closed, first refused while a
contract is in force, then done: confirmed by e-mail, signed out, the address erased."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Browser, Page, expect

from parcauto.accounts.models import Profile, User
from parcauto.privacy.models import AccountClosure, DataExport
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.models import Organization
from tests.backoffice.requests import offer_of
from tests.e2e.conftest import _close_page, _open_page
from tests.e2e.support import Portal, Steps, field, heading, mail_to
from tests.privacy.builders import holder_make

pytestmark = pytest.mark.e2e

PASSWORD = "Stationnement-2026"
EMAIL = "marie@example.com"


def chus_organization() -> Organization:
    return Organization.objects.get(slug="ciusse-chus")


def _log_in(page: Page, portal: Portal, email: str = EMAIL) -> None:
    page.goto(portal.url("/accounts/login/"))
    field(page, "Adresse courriel").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(portal.pattern("/tableau-de-bord/"))


def _to_settings(page: Page, portal: Portal) -> None:
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="PARAMÈTRES").click()
    expect(page).to_have_url(portal.pattern("/parametres/"))


def _run_queued_tasks() -> list[str]:
    """What a `db_worker` does: run each queued task, and those they queue, in order."""
    ran = []
    while queued := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        for row in queued:
            row.delete()
            kwargs: dict[str, Any] = row.args_kwargs["kwargs"]
            row.task.call(*row.args_kwargs["args"], **kwargs)
            ran.append(row.task_path.rsplit(".", 1)[-1])
    return ran


@pytest.fixture
def database_tasks(settings: Any) -> None:
    """Tasks wait in the database for a worker, as in production: the page then shows
    the download being prepared until the test runs the worker's part."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_person_downloads_everything_held_about_them_on_a_phone(
    request: pytest.FixtureRequest,
    browser: Browser,
    page: Page,
    shot: Steps,
    chus: Portal,
    database_tasks: None,
) -> None:
    marie = holder_make(offer_of(chus_organization()))
    _run_queued_tasks()  # what the submission queued: its acknowledgment...
    mail.outbox.clear()  # ...which is not what this journey is about
    _log_in(page, chus)
    _to_settings(page, chus)
    shot("01-settings")
    page.get_by_role(
        "link", name="Mes données Télécharger tout ce que nous détenons à votre sujet"
    ).click()
    expect(heading(page)).to_have_text("Mes données")
    page.get_by_role("button", name="Préparer mes données").click()
    expect(page.locator("#export-status")).to_contain_text("Vos données sont en préparation.")
    expect(page.locator("#export-progress")).to_have_attribute("value", "0")
    shot("02-being-prepared")

    # The worker's turn; the page, polling, shows the result without being reloaded.
    assert _run_queued_tasks() == ["build_data_export", "deliver_email"]
    download_button = page.get_by_role("link", name="Télécharger mes données (ZIP)")
    expect(download_button).to_be_visible(timeout=8_000)
    expect(page.locator("#export-progress")).to_have_count(0)
    shot("03-ready")

    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("mes-donnees-")
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    data = json.loads(archive.read("donnees.json"))
    assert data["account"]["email"] == EMAIL
    (contract,) = data["institutions"][0]["contracts"]
    assert contract["contract_number"] == marie.contract.contract_number
    assert archive.read(contract["files"][0]["in_archive"]).startswith(b"%PDF")

    (message,) = mail_to(EMAIL)
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Vos données sont prêtes à télécharger"
    # Written by a task, the link names the portal's public address (https, no port):
    # the same path on this test server.
    (link,) = re.findall(
        r"https://ciusse-chus\.localhost(/parametres/mes-donnees/telecharger/\S+/)", message.body
    )
    assert shot.email(message, "04-ready-email")["Télécharger mes données"].endswith(link)
    link = chus.url(link)

    # The link opened on another device asks who is there first.
    other = _open_page(browser, {"width": 390, "height": 844}, "fr-CA")
    try:
        other.goto(link)
        expect(heading(other)).to_have_text("Connexion")
    finally:
        _close_page(request, other, "-other")
    assert DataExport.objects.get().downloaded_at is not None
    shot.assert_all_french()


def test_a_person_closes_their_account_once_nothing_is_in_force_on_a_phone(
    page: Page, shot: Steps, chus: Portal
) -> None:
    marie = holder_make(offer_of(chus_organization()))
    mail.outbox.clear()  # the submission's acknowledgment: not this journey's
    Subscription.objects.filter(pk=marie.contract.pk).update(status=Subscription.Status.ACTIVE)
    _log_in(page, chus)
    _to_settings(page, chus)
    page.get_by_role("link", name="Fermer mon compte Effacer votre compte").click()
    expect(heading(page)).to_have_text("Fermer mon compte")
    expect(page.get_by_role("alert")).to_contain_text("est encore en vigueur")
    expect(page.get_by_label("Mot de passe")).to_have_count(0)
    shot("01-refused-while-in-force")

    Subscription.objects.filter(pk=marie.contract.pk).update(status=Subscription.Status.ENDED)
    page.reload()
    field(page, "Mot de passe").fill("pas-le-bon")
    page.get_by_label("Je comprends").check()
    page.get_by_role("button", name="Fermer mon compte").click()
    expect(page.get_by_text("Le mot de passe n'est pas le bon.")).to_be_visible()
    shot("02-wrong-password")
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_label("Je comprends").check()
    page.get_by_role("button", name="Fermer mon compte").click()
    expect(page).to_have_url(chus.pattern("/compte-ferme/"))
    expect(heading(page)).to_have_text("Votre compte est fermé")
    shot("03-closed")

    (message,) = mail_to(EMAIL)
    assert message.subject == "CIUSSS de l'Estrie - CHUS · Votre compte est fermé"
    shot.email(message, "04-confirmation")
    person = User.objects.get(pk=marie.person.pk)
    assert person.email == f"ferme-{person.pk}@compte-ferme.invalid"
    assert not Profile.objects.filter(user=person).exists()
    assert AccountClosure.objects.get(person=person).erased_at is not None

    # Signed out, and the old password opens nothing.
    page.goto(chus.url("/parametres/"))
    expect(page).to_have_url(chus.pattern("/accounts/login/?next=/parametres/"))
    field(page, "Adresse courriel").fill(EMAIL)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("L'adresse courriel ou le mot de passe est incorrect.")).to_be_visible()
    shot("05-cannot-sign-in")
    shot.assert_all_french()
