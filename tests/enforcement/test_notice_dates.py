"""Checks and notices say when in Quebec's words, on every page, printout and e-mail:
« 1er juin 2026 à 23 h 04 », « 1er juillet 2026 »; in English, "June 1, 2026 at
11:04 p.m.". The back office's tables keep their ISO dates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from parcauto.accounts.models import StaffRole
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.models import ClaimNotice, NoticeReason
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from tests.access.grants import contract_of
from tests.backoffice.conftest import signed_in
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.enforcement.notices import check_of, tariffs_of
from tests.factories import VehicleFactory
from tests.pages import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 June 2026, late in the evening in Quebec (already 2 June in UTC).
NOW = dt.datetime(2026, 6, 1, 23, 10, tzinfo=LOCAL_TZ)
SEEN = dt.datetime(2026, 6, 1, 23, 4, tzinfo=LOCAL_TZ)
SEEN_WORDS = "1er juin 2026 à 23 h 04"
DUE_WORDS = "1er juillet 2026"  # 30 days after the day it was issued


@pytest.fixture
def agent(organization):
    return staff_member(StaffRole.Role.PATROL, organization)


def _issued(organization, agent, capture, language: str = "fr") -> ClaimNotice:
    """Issued from a check at 23:04, to the account whose vehicle bears the plate."""
    offer = offer_of(organization)
    tariffs_of(organization)
    person = contract_of(offer, start=NOW.date()).person
    person.language = language
    person.save(update_fields=["language"])
    VehicleFactory(owner=person, plate="ABC123", jurisdiction="QC")
    check = check_of(offer.lot, agent=agent, at=SEEN)
    draft = NoticeDraft(
        lot=offer.lot,
        plate="ABC123",
        jurisdiction="QC",
        reason=NoticeReason.NO_PERMIT,
        observed_at=SEEN,
    )
    with capture(execute=True):
        return notice_issue(
            organization=organization, draft=draft, agent=agent, now=NOW, plate_check=check
        )


@pytest.fixture
def notice(organization, agent, django_capture_on_commit_callbacks) -> ClaimNotice:
    return _issued(organization, agent, django_capture_on_commit_callbacks)


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_patrol_pages_say_the_check_and_the_notice_in_quebec_words(agent, notice):
    client = signed_in(agent)
    check = text(client.get(f"/gestion/patrouille/verifications/{notice.plate_check_id}/"))
    assert "1er juin 2026, 23 h 04" in check
    issued = text(client.get(f"/gestion/patrouille/avis/{notice.pk}/"))
    assert SEEN_WORDS in issued and DUE_WORDS in issued
    assert "1er juin 2026 à 23 h 10" in issued  # "My latest notices": when it was issued
    assert "23:04" not in issued and "juin 1" not in issued


def test_the_back_offices_notice_page_says_it_in_quebec_words_its_list_in_iso(organization, notice):
    client = signed_in(staff_member(StaffRole.Role.MANAGER, organization))
    detail = text(client.get(f"/gestion/avis/{notice.pk}/"))
    assert SEEN_WORDS in detail and "1er juin 2026 à 23 h 10" in detail and DUE_WORDS in detail
    assert "2026-06-01 23:10" in text(client.get("/gestion/avis/"))  # a table: ISO, sortable


def test_the_portals_pages_say_it_in_quebec_words(organization, notice):
    client = Client(HTTP_HOST="chus.testserver")
    client.force_login(notice.person)
    mine = text(client.get("/mon-compte/avis/"))
    assert SEEN_WORDS in mine and DUE_WORDS in mine
    public = text(client.get(f"/avis-de-reclamation/{notice.number}/"))
    assert SEEN_WORDS in public and DUE_WORDS in public


def test_the_printed_notice_and_its_email_say_it_in_quebec_words(agent, notice):
    printed = signed_in(agent).get(f"/gestion/patrouille/avis/{notice.pk}/avis.pdf")
    words = " ".join(_pdf_text(printed.content).split())
    assert SEEN_WORDS in words and DUE_WORDS in words
    [sent] = mail.outbox
    assert SEEN_WORDS in sent.body and DUE_WORDS in sent.body


def test_in_english_the_email_says_it_in_english(
    organization, agent, django_capture_on_commit_callbacks
):
    _issued(organization, agent, django_capture_on_commit_callbacks, language="en")
    [sent] = mail.outbox
    assert "June 1, 2026 at 11:04 p.m." in sent.body and "July 1, 2026" in sent.body
