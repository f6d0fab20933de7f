"""Two agents (or a double tap on the typed form) issuing for one plate at once: one notice."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from parcauto.accounts.models import StaffRole
from parcauto.core.clock import LOCAL_TZ
from parcauto.enforcement.errors import AlreadyNoticedToday
from parcauto.enforcement.models import ClaimNotice, NoticeReason
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.concurrency import run_together
from tests.enforcement.notices import tariffs_of

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ)
TRIES = 4


@pytest.mark.django_db(transaction=True)
def test_one_plate_issued_at_once_by_several_gets_one_notice(organization) -> None:
    lot = offer_of(organization).lot
    tariffs_of(organization)
    agents = [
        staff_member(StaffRole.Role.PATROL, organization, email=f"agent{n}@chus.example")
        for n in range(TRIES)
    ]
    draft = NoticeDraft(
        lot=lot,
        plate="ABC123",
        jurisdiction="QC",
        reason=NoticeReason.NO_PERMIT,
        observed_at=NOW - dt.timedelta(minutes=5),
    )
    outcomes = run_together(
        organization,
        [
            partial(notice_issue, organization=organization, draft=draft, agent=agent, now=NOW)
            for agent in agents
        ],
    )

    issued = [outcome for outcome in outcomes if isinstance(outcome, ClaimNotice)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, AlreadyNoticedToday)]
    assert (len(issued), len(refused)) == (1, TRIES - 1), outcomes
    assert ClaimNotice.objects.count() == 1
