"""Mes données: the archive holds everything about the person, and nothing about anyone
else; its link opens for that person only, until it expires; then the file is purged."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail, signing
from django.core.files.storage import default_storage

from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.privacy.links import data_export_token
from parcauto.privacy.models import DataExport
from parcauto.privacy.services.export import data_export_for_download, data_export_request
from parcauto.privacy.services.retention import retention_run
from tests.backoffice.requests import NOW, offer_of
from tests.factories import ParkingLotFactory
from tests.privacy.builders import contract_ended, person_make
from tests.scoping import within

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


Prepared = tuple[DataExport, dict, zipfile.ZipFile]


@pytest.fixture
def prepare(organization, after_commit) -> Callable[[User], Prepared]:
    """Ask for a person's download and run what follows the commit (the archive's task,
    its e-mail), as production does: the download, its JSON and its archive."""

    def prepared(person: User) -> Prepared:
        with after_commit():
            export = data_export_request(person=person, organization=organization, now=NOW)
        export.refresh_from_db()
        assert export.status == DataExport.Status.READY
        archive = zipfile.ZipFile(io.BytesIO(export.file.read()))
        return export, json.loads(archive.read("donnees.json")), archive

    return prepared


def test_the_archive_holds_everything_about_the_person(prepare, marie):
    _export_row, data, archive = prepare(marie.person)

    assert data["account"]["email"] == "marie@example.com"
    assert data["profile"]["postal_code"] == "J1J 3H5"
    assert data["profile"]["mobile_phone"] == "+18195551234"
    (vehicle,) = data["vehicles"]
    assert vehicle["plate"] == "ABC123"
    assert [change["action"] for change in vehicle["history"]] == ["added", "changed"]
    (institution,) = data["institutions"]
    assert institution["institution"]["slug"] == "chus"
    (contract,) = institution["contracts"]
    assert contract["contract_number"] == marie.contract.contract_number
    assert contract["status"] == "ended"
    assert contract["school"] == "Université de Sherbrooke"
    assert contract["vehicles"] == ["ABC123"]
    assert {c["kind"] for c in contract["consents"]} >= {
        "subscription_conditions",
        "payment_conditions",
    }
    conditions = next(c for c in contract["consents"] if c["kind"] == "subscription_conditions")
    assert conditions["version"] == 3
    (invoice,) = contract["invoices"]
    assert invoice["number"] == marie.invoice.number
    assert invoice["amount"] == "114.98"
    assert invoice["payments"][0]["status"] == "approved"
    # The files given: in the JSON and in the archive.
    (proof,) = contract["files"]
    assert proof["original_name"] == "attestation stage.pdf"
    assert archive.read(proof["in_archive"]).startswith(b"%PDF")
    bank = next(m for m in contract["payment_methods"] if "bank_account" in m)
    assert bank["bank_account"]["account"] == "•••• 4321"
    assert archive.read(bank["bank_account"]["cheque_specimen"]).startswith(b"\x89PNG")
    card = next(m for m in contract["payment_methods"] if "card" in m)
    assert card["card"] == {"brand": "Visa", "number": "•••• 4242", "expiry": "2811"}
    # E-mails sent to them, and what they did.
    (email,) = data["emails"]
    assert email["subject"] == "Votre demande est reçue"
    assert str(marie.contract.contract_number) in email["body_text"]
    assert "subscription.submitted" in {event["action"] for event in data["activity"]}
    assert "LISEZMOI.txt" in archive.namelist()


def test_no_secret_leaves_in_the_archive_even_the_persons_own(prepare, marie):
    _export_row, data, _archive = prepare(marie.person)
    dumped = json.dumps(data)
    assert "dk-secret-vault-key" not in dumped
    assert "gAAAA-secret-ciphertext" not in dumped
    assert "password" not in dumped


def test_the_archive_holds_nothing_about_anyone_else(prepare, marie, jean):
    _export_row, data, archive = prepare(marie.person)
    everything = json.dumps(data) + " ".join(archive.namelist())
    assert "jean@example.com" not in everything
    assert "ZZZ999" not in everything
    assert str(jean.contract.contract_number) not in everything
    assert str(jean.invoice.number) not in everything
    jeans_files = {jean.bank_account.cheque_specimen.name}
    assert not jeans_files & set(archive.namelist())


def test_the_persons_contracts_on_another_portal_are_in_it_too(prepare, other_organization, marie):
    with within(other_organization):
        contract_ended(
            offer_of(other_organization, lot_number="1534", product_number="7117"),
            person=marie.person,
            ended_on=NOW.date(),
            at=NOW - dt.timedelta(days=5),
        )
    _export_row, data, _archive = prepare(marie.person)
    assert [i["institution"]["slug"] for i in data["institutions"]] == ["chus", "cisso"]


def test_the_progress_reaches_every_step_and_the_person_is_emailed_a_link(prepare, marie):
    export, _data, _archive = prepare(marie.person)
    assert export.steps_done == export.steps_total == 6
    assert export.expires_at == NOW + dt.timedelta(days=7)
    (message,) = [m for m in mail.outbox if "Vos données" in m.subject]
    assert message.to == ["marie@example.com"]
    link = f"http://chus.testserver/parametres/mes-donnees/telecharger/{data_export_token(export)}/"
    assert link.replace("http://", "https://") in message.body or link in message.body
    assert AuditEvent.objects.filter(action="privacy.export_ready").count() == 1


def test_a_second_request_while_one_is_prepared_returns_it(
    organization, marie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = data_export_request(person=marie.person, organization=organization, now=NOW)
        second = data_export_request(person=marie.person, organization=organization, now=NOW)
    assert first == second
    assert first.status == DataExport.Status.QUEUED
    assert DataExport.objects.count() == 1


def test_the_link_opens_for_the_person_only_until_it_expires(prepare, marie, jean):
    export, _data, _archive = prepare(marie.person)
    token = data_export_token(export)
    assert data_export_for_download(token=token, person=marie.person, now=NOW) == export
    assert data_export_for_download(token=token, person=jean.person, now=NOW) is None
    assert data_export_for_download(token=token + "x", person=marie.person, now=NOW) is None
    not_ours = signing.dumps({"export": export.pk, "person": marie.person.pk}, salt="autre")
    assert data_export_for_download(token=not_ours, person=marie.person, now=NOW) is None
    # Even a link we signed opens only a download of the person it names.
    jeans, _data, _archive = prepare(jean.person)
    mixed = data_export_token(DataExport(pk=jeans.pk, person_id=marie.person.pk))
    assert data_export_for_download(token=mixed, person=marie.person, now=NOW) is None
    later = NOW + dt.timedelta(days=7, minutes=1)
    with time_machine.travel(later, tick=False):
        assert data_export_for_download(token=token, person=marie.person, now=later) is None


def test_the_retention_job_purges_the_file_once_the_link_expired(prepare, marie, after_commit):
    export, _data, _archive = prepare(marie.person)
    name = export.file.name
    report = retention_run(now=NOW + dt.timedelta(days=6), dry_run=False)
    assert report.overall["data_downloads"] == 0
    assert default_storage.exists(name)
    with after_commit():
        report = retention_run(now=NOW + dt.timedelta(days=7, seconds=1), dry_run=False)
    assert report.overall["data_downloads"] == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    assert not export.file
    assert not default_storage.exists(name)


def test_a_person_with_nothing_but_an_account_gets_an_archive_too(prepare):
    _export_row, data, _archive = prepare(person_make("luc@example.com"))
    assert data["institutions"] == []
    assert data["vehicles"] == []
    assert data["account"]["email"] == "luc@example.com"


def test_a_staff_members_roles_come_with_the_lots_they_patrol(
    prepare, organization, other_organization
):
    person = person_make(email="agent@chus.example")
    lot_a = ParkingLotFactory(organization=organization, number="1085")
    lot_b = ParkingLotFactory(organization=organization, number="1534")
    patrol = StaffRole.objects.create(
        user=person, role=StaffRole.Role.PATROL, organization=organization
    )
    patrol.lots.set([lot_b, lot_a])
    StaffRole.objects.create(
        user=person, role=StaffRole.Role.AGENT, organization=other_organization
    )
    _export_row, data, _archive = prepare(person)
    roles = sorted(data["account"]["staff_roles"], key=lambda role: role["role"])
    assert roles == [
        {"role": "agent", "institution": other_organization.slug, "lots": []},
        {"role": "patrol", "institution": organization.slug, "lots": ["1085", "1534"]},
    ]
