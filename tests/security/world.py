"""The data set the authorization matrix and the fuzz test share: two institutions, the eleven
roles, and one of each object, belonging to customer A and institution 1 (CHUS).

Built once per test module inside a transaction that is rolled back when the module ends
(see `conftest.world`); each test runs in a savepoint inside it, and each request of a
test in its own savepoint, so no request sees what another one changed.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django_tasks_db.models import DBTaskResult

from parcauto.access.decisions import plate_credential
from parcauto.access.devices import IssuedKey, device_register, device_revoke
from parcauto.access.models import AccessGrant, AccessPass, Device
from parcauto.access.services import access_sync
from parcauto.accounts.models import StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import BillingRun, Invoice
from parcauto.catalog.models import ParkingLot
from parcauto.enforcement.models import ClaimNotice, NoticePhoto, NoticeReason, PlateCheck
from parcauto.enforcement.services.checks import plate_check
from parcauto.enforcement.services.issuing import NoticeDraft, notice_issue
from parcauto.notifications.models import OutboundEmail
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.privacy.models import ConfidentialityIncident, DataExport, PrivacySettings
from parcauto.servicedesk.models import (
    FaqEntry,
    ServiceAttachment,
    ServiceDeskSettings,
    ServiceRequest,
)
from parcauto.servicedesk.services.requests import modification_request_send
from parcauto.subscriptions.models import Attachment, Subscription
from parcauto.tenants.models import LegalText, Organization
from tests.backoffice.notices import photo_make
from tests.backoffice.requests import (
    NOW,
    TODAY,
    offer_of,
    reviewed_draft,
    submitted_request,
)
from tests.backoffice.staff import staff_member
from tests.backoffice.test_billing_pages import attempt_on, card_of, collection_file, invoice_for
from tests.enforcement.notices import tariffs_of
from tests.factories import (
    OrganizationFactory,
    ParkingLotFactory,
    ProductGrantFactory,
    ProfileFactory,
    UserFactory,
)
from tests.pages import PDF
from tests.payments.factories import employer_make, originator_make

HOME_HOST = "chus.testserver"  # institution 1's portal: where A's objects live
OTHER_HOST = "cisso.testserver"  # institution 2's portal
ROOT_HOST = "testserver"  # the operator's host: back office, list of portals


class Role(enum.StrEnum):
    """The matrix's columns, in the order the table lists them."""

    ANONYMOUS = "anonymous"
    CUSTOMER_A = "customer A"  # owns every object the URLs name
    CUSTOMER_B = "customer B"  # same portal as A
    CUSTOMER_C = "customer C"  # the other institution's portal
    OTHER_AGENT = "agent of institution 2"
    OTHER_MANAGER = "manager of institution 2"
    AGENT = "agent of institution 1"
    MANAGER = "manager of institution 1"
    OPERATOR = "operator administrator"
    # Patrol agents: their institution's patrol pages, nothing else of the back office.
    PATROL_2 = "patrol agent of institution 2"
    PATROL_1 = "patrol agent of institution 1"


ROLES = list(Role)


class Caller(enum.StrEnum):
    """The API's callers: devices with their key (no person, no session), by where they are."""

    NO_KEY = "no key"
    DEVICE = "gate reader of A's lot (institution 1)"
    OTHER_LOT = "patrol phone of another lot of institution 1"
    OTHER_INSTITUTION = "plate camera of institution 2"
    REVOKED = "revoked gate reader of A's lot"


CALLERS = list(Caller)


class Host(enum.Enum):
    PORTAL = "portal"  # the role's own portal: institution 2's for customer C, else 1's
    ROOT = "root"


def host_for(role: Role, host: Host) -> str:
    if host is Host.ROOT:
        return ROOT_HOST
    return OTHER_HOST if role is Role.CUSTOMER_C else HOME_HOST


@dataclass(frozen=True)
class World:
    home: Organization
    other: Organization
    users: dict[Role, User]
    sessions: dict[Role, str]  # session keys, made once: a cell only sets its cookie
    contract: Subscription  # A's active card contract: paid invoice, receipt, PDF, calendar
    access_pass: AccessPass  # the contract's pass (QR code, wallets)
    request: Subscription  # A's request awaiting approval, with its proof file
    attachment: Attachment  # that proof file
    draft: Subscription  # A's next request, written up to the payment step
    invoice: Invoice  # the contract's paid invoice
    billing_run: BillingRun
    service_request: ServiceRequest  # A's modification request about the contract, with a file
    service_attachment: ServiceAttachment  # that file
    data_export: DataExport  # A's "Mes données", ready to download
    admin_objects: dict[str, models.Model]  # "app_label.model_name" -> A's / CHUS's row
    devices: dict[Caller, IssuedKey]  # each device caller's device and key (none: NO_KEY)
    plate_check: PlateCheck  # institution 1's patrol agent's check in A's lot, no notice yet
    # A notice to A's vehicle in that lot (in A's "Mes avis"), issued, with a photo.
    notice: ClaimNotice
    notice_photo: NoticePhoto

    def client(self, role: Role, host: Host, **defaults: Any) -> Client:
        client = Client(HTTP_HOST=host_for(role, host), **defaults)
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _customer(organization: Organization, email: str) -> User:
    return ProfileFactory(
        user=UserFactory(email=email, signup_organization=organization), first_name=email[0]
    ).user


def _bank_account(request: Subscription) -> PaymentMethod:
    """A's earlier bank account for the request, replaced since: it keeps its cheque."""
    method = PaymentMethod(
        organization=request.organization,
        subscription=request,
        person=request.person,
        kind="pad",
        status=PaymentMethod.Status.REPLACED,
        bank_institution="815",
        bank_transit="30001",
        bank_account_last_digits="4321",
        holder_name="Marie Tremblay",
    )
    method.cheque_specimen.save("cheque.pdf", ContentFile(PDF), save=False)
    method.save()
    return method


def _device(
    lot: ParkingLot,
    name: str,
    manager: User,
    *,
    revoked: bool = False,
    kind: str = Device.Kind.GATE_READER,
) -> IssuedKey:
    issued = device_register(
        organization=lot.organization,
        lot=lot,
        name=name,
        kind=kind,
        lanes="",
        actor=manager,
        now=NOW,
    )
    if revoked:
        device_revoke(device=issued.device, actor=manager, now=NOW)
    return issued


def _data_export(person: User, organization: Organization) -> DataExport:
    """A's download, ready; its link is signed when a test asks (`arguments`), and it stays
    available whatever day the suite runs."""
    export = DataExport(
        person=person,
        organization=organization,
        status=DataExport.Status.READY,
        steps_total=6,
        steps_done=6,
        ready_at=NOW,
        expires_at=NOW + dt.timedelta(days=36500),
    )
    export.file.save("donnees.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    export.save()
    return export


def _incident(organization: Organization) -> ConfidentialityIncident:
    return ConfidentialityIncident.objects.create(
        organization=organization,
        title="Courriel envoyé au mauvais destinataire",
        information_concerned="Nom et numéro de contrat",
        circumstances="Un agent a répondu à la mauvaise personne.",
        occurred_from=TODAY,
        discovered_on=TODAY,
        people_affected=1,
        risk_of_serious_injury=False,
        risk_assessment="Peu sensible; le destinataire a confirmé la suppression.",
        measures="Rappel de la procédure à l'équipe.",
    )


def _notice(lot: ParkingLot, plate: str, agent: User) -> tuple[ClaimNotice, NoticePhoto]:
    """A notice to A's vehicle in A's lot (A is told), with a located photo."""
    notice = notice_issue(
        organization=lot.organization,
        draft=NoticeDraft(
            lot=lot,
            plate=plate,
            jurisdiction="QC",
            reason=NoticeReason.NO_PERMIT,
            observed_at=NOW - dt.timedelta(hours=2),
        ),
        agent=agent,
        now=NOW,
    )
    return notice, photo_make(notice)


def world_build() -> World:
    home = OrganizationFactory(slug="chus", name_fr="CIUSSS de l'Estrie - CHUS", hostname=HOME_HOST)
    other = OrganizationFactory(slug="cisso", name_fr="CISSS de l'Outaouais", hostname=OTHER_HOST)
    users = {
        Role.CUSTOMER_A: _customer(home, "a-marie@example.com"),
        Role.CUSTOMER_B: _customer(home, "b-jean@example.com"),
        Role.CUSTOMER_C: _customer(other, "c-luc@example.com"),
        Role.OTHER_AGENT: staff_member(StaffRole.Role.AGENT, other, email="agent@cisso.example"),
        Role.OTHER_MANAGER: staff_member(
            StaffRole.Role.MANAGER, other, email="gestion@cisso.example"
        ),
        Role.AGENT: staff_member(StaffRole.Role.AGENT, home, email="agent@chus.example"),
        Role.MANAGER: staff_member(StaffRole.Role.MANAGER, home, email="gestion@chus.example"),
        Role.OPERATOR: staff_member(StaffRole.Role.OPERATOR_ADMIN, email="admin@parcauto.ca"),
        Role.PATROL_2: staff_member(StaffRole.Role.PATROL, other, email="patrouille@cisso.example"),
        Role.PATROL_1: staff_member(StaffRole.Role.PATROL, home, email="patrouille@chus.example"),
    }
    person = users[Role.CUSTOMER_A]
    offer = offer_of(home)
    other_offer = offer_of(other, lot_number="1534", product_number="7117")  # C's sells too

    contract = submitted_request(offer, person=person, at=NOW - dt.timedelta(days=20))
    Subscription.objects.filter(pk=contract.pk).update(status=Subscription.Status.ACTIVE)
    contract.refresh_from_db()
    access_sync(subscription=contract, now=NOW)  # its access card
    invoice = invoice_for(contract)
    card_of(contract)
    attempt = attempt_on(invoice, status=PaymentAttempt.Status.APPROVED, message="APPROVED")
    request = submitted_request(offer, person=person, start=TODAY + dt.timedelta(days=7))
    draft = reviewed_draft(offer, person=person, start=TODAY + dt.timedelta(days=70), at=NOW)
    service_request = modification_request_send(
        subscription=contract,
        person=person,
        contact_email=person.email,
        full_name="Marie Tremblay",
        text="Je souhaite passer au permis G.",
        attachment=SimpleUploadedFile("lettre.pdf", PDF),
        now=NOW,
    )

    text = LegalText.objects.create(  # unpublished: its manager may still change it
        organization=home,
        kind=LegalText.Kind.PRIVACY_POLICY,
        version=1,
        body_fr="Politique du CHUS",
        published_at=NOW + dt.timedelta(days=30),
    )
    agent = users[Role.AGENT]
    admin_objects: dict[str, models.Model] = {
        "tenants.organization": home,
        "tenants.legaltext": text,
        "accounts.user": person,
        "accounts.profile": person.profile,
        "accounts.staffrole": StaffRole.objects.get(user=agent),
        "account.emailaddress": EmailAddress.objects.get(user=person),
        "mfa.authenticator": Authenticator.objects.get(user=agent),
        # The submission's follow-up, queued in its transaction (conftest: database tasks).
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.earliest("enqueued_at"),
        "audit.auditevent": AuditEvent.objects.filter(
            organization=home, action="subscription.submitted"
        ).earliest("pk"),
        "notifications.outboundemail": OutboundEmail.objects.create(
            organization=home,
            from_email="no-reply@parcauto.ca",
            to=person.email,
            subject="Votre demande est reçue",
            body_text="Bonjour",
        ),
        "catalog.parkinglot": offer.lot,
        "catalog.usercategory": offer.category,
        "catalog.permitproduct": offer.product,
        "catalog.productgrant": ProductGrantFactory(
            product__organization=home, organization=home, user=person
        ),
        "vehicles.vehicle": contract.vehicles.get(),
        "subscriptions.subscription": request,  # submitted: finding 2's case
        "access.accesspass": AccessPass.objects.get(subscription=contract),
        "access.accessgrant": AccessGrant.objects.filter(subscription=contract).earliest("pk"),
        "payments.paymentmethod": _bank_account(request),
        "payments.collectionfile": collection_file(home),
        "payments.paymentattempt": attempt,
        "payments.padoriginator": originator_make(home),
        "payments.payrollemployer": employer_make(home),
        "servicedesk.faqentry": FaqEntry.objects.create(
            organization=home, question_fr="Comment annuler?", answer_fr="**Ainsi.**"
        ),
        "servicedesk.servicedesksettings": ServiceDeskSettings.objects.create(organization=home),
        "privacy.privacysettings": PrivacySettings.objects.create(organization=home),
        "privacy.confidentialityincident": _incident(home),
        "enforcement.noticetariff": tariffs_of(home)[0],
    }
    manager, other_manager = users[Role.MANAGER], users[Role.OTHER_MANAGER]
    notice, notice_photo = _notice(offer.lot, contract.vehicles.get().plate, manager)
    devices = {
        Caller.DEVICE: _device(offer.lot, "Barrière 1085", manager),
        Caller.OTHER_LOT: _device(
            ParkingLotFactory(organization=home, number="2000"),
            "Patrouille 2000",
            manager,
            kind=Device.Kind.PATROL_PHONE,
        ),
        Caller.OTHER_INSTITUTION: _device(
            other_offer.lot, "Caméra 1534", other_manager, kind=Device.Kind.PLATE_CAMERA
        ),
        Caller.REVOKED: _device(offer.lot, "Ancienne barrière", manager, revoked=True),
    }
    return World(
        home=home,
        other=other,
        users=users,
        sessions={role: _session(user) for role, user in users.items()},
        contract=contract,
        access_pass=AccessPass.objects.get(subscription=contract),
        request=request,
        attachment=request.attachments.get(),
        draft=draft,
        invoice=invoice,
        billing_run=BillingRun.objects.create(
            run_date=TODAY,
            status=BillingRun.Status.FINISHED,
            started_at=NOW,
            finished_at=NOW + dt.timedelta(minutes=3),
        ),
        service_request=service_request,
        service_attachment=service_request.attachments.get(),
        data_export=_data_export(person, home),
        admin_objects=admin_objects,
        devices=devices,
        plate_check=plate_check(
            lot=offer.lot,
            credential=plate_credential("XYZ789", "QC"),
            now=NOW,
            source=PlateCheck.Source.PATROL,
            agent=users[Role.PATROL_1],
        ),
        notice=notice,
        notice_photo=notice_photo,
    )
