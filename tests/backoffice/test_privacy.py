"""Privacy in the back office: the retention dry run per institution, and the register of
confidentiality incidents, each for the managers of an institution and the operator."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from parcauto.audit.models import AuditEvent
from parcauto.privacy.models import ConfidentialityIncident, PrivacySettings
from tests.backoffice.conftest import Role, changelist_rows, signed_in
from tests.backoffice.requests import NOW as NOW  # the frozen clock's moment (frozen_now)
from tests.backoffice.requests import offer_of
from tests.backoffice.staff import staff_member
from tests.pages import text
from tests.privacy.builders import ENDED_ON, holder_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

RETENTION = "/gestion/confidentialite/conservation/"
INCIDENTS = "/admin/privacy/confidentialityincident/"


@pytest.fixture
def offer(organization):
    return offer_of(organization)


@pytest.fixture
def other_manager(other_organization):
    return staff_member(Role.MANAGER, other_organization, email="gestion@cisso.example")


def test_a_manager_sees_what_the_next_run_would_delete_in_their_institution(
    manager, organization, other_organization, offer
):
    marie = holder_make(offer)
    PrivacySettings.objects.create(organization=organization, proof_retention_months=1)
    shown = text(signed_in(manager).get(RETENTION))
    assert "CIUSSS de l'Estrie - CHUS" in shown
    assert "CISSS de l'Outaouais" not in shown
    assert "Comptes jamais validés" not in shown  # no institution's: the operator's
    # 1 month after an end 10 days ago: not yet; the page counts, it deletes nothing.
    assert signed_in(manager).get(RETENTION).context["rows"][0][1:] == (1, [0, 0, 0, 0])
    assert marie.contract.attachments.exists()


def test_the_counts_follow_the_clock(manager, organization, offer):
    holder_make(offer)
    later = dt.datetime.combine(ENDED_ON, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=800)
    with time_machine.travel(later, tick=False):
        (row,) = signed_in(manager).get(RETENTION).context["rows"]
    assert row[2] == [1, 1, 0, 0]  # the proof and the cheque specimen
    assert not AuditEvent.objects.filter(action="privacy.retention_run").exists()


def test_the_operator_also_sees_what_belongs_to_no_institution(operator, organization):
    shown = text(signed_in(operator).get(RETENTION))
    assert "Comptes jamais validés" in shown
    assert "Comptes fermés encore à effacer" in shown


def test_agents_do_not_decide_what_is_kept(agent):
    assert signed_in(agent).get(RETENTION).status_code == 403


def _incident_form(organization, **changes):
    data = {
        "organization": organization.pk,
        "title": "Liste de plaques envoyée par erreur",
        "information_concerned": "Plaques et noms de 40 abonnés",
        "circumstances": "Un fichier joint au mauvais courriel.",
        "occurred_from": "2026-05-28",
        "occurred_until": "",
        "discovered_on": "2026-05-29",
        "people_affected": "40",
        "risk_assessment": "Peu sensible; destinataire connu, fichier supprimé.",
        "commission_notified_on": "",
        "people_notified_on": "",
        "public_notice_reason": "",
        "measures": "Confirmation écrite de la suppression.",
    }
    return data | changes


def test_a_manager_records_an_incident_and_is_named_on_it(manager, organization):
    response = signed_in(manager).post(f"{INCIDENTS}add/", _incident_form(organization))
    assert response.status_code == 302, response.context["adminform"].errors
    incident = ConfidentialityIncident.objects.get()
    assert incident.recorded_by == manager
    assert incident.people_affected == 40
    assert AuditEvent.objects.filter(action="admin.privacy.confidentialityincident.added").exists()


def test_notices_without_a_risk_of_serious_injury_are_refused(manager, organization):
    response = signed_in(manager).post(
        f"{INCIDENTS}add/", _incident_form(organization, commission_notified_on="2026-05-30")
    )
    assert response.status_code == 200
    assert "cochez le risque de préjudice sérieux" in text(response)
    assert not ConfidentialityIncident.objects.exists()


def test_the_register_is_each_institutions_own(manager, other_manager, agent, organization):
    signed_in(manager).post(f"{INCIDENTS}add/", _incident_form(organization))
    incident = ConfidentialityIncident.objects.get()
    assert changelist_rows(signed_in(manager), INCIDENTS) == {incident}
    assert changelist_rows(signed_in(other_manager), INCIDENTS) == set()
    assert signed_in(agent).get(INCIDENTS).status_code == 403
    assert (
        signed_in(manager).post(f"{INCIDENTS}{incident.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ConfidentialityIncident.objects.exists()
