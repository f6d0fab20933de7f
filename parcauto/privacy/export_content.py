"""What "Mes données" holds: everything the platform keeps about one person, as plain
values (DjangoJSONEncoder writes dates and amounts), and the files they gave.

Every query names the person; each institution's rows are read in that institution's
scope, one at a time (`institutions_each`), since one account spans every portal.
Secrets are left out even though they are the person's: card tokens and the vault's key,
the encrypted bank account (shown masked), the pass's code, authenticator secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Model, Q
from django.db.models.fields.files import FieldFile
from django_scopes import scope

from parcauto.access.models import AccessEvent, AccessPass
from parcauto.accounts.models import Profile, StaffRole, User
from parcauto.audit.models import AuditEvent
from parcauto.billing.models import Invoice, Refund
from parcauto.catalog.models import ProductGrant
from parcauto.core.http import download_name
from parcauto.core.uploads import stored_document_type
from parcauto.notifications.models import EmailOptOut, OutboundEmail
from parcauto.payments import crypto
from parcauto.payments.models import PaymentAttempt, PaymentMethod
from parcauto.servicedesk.models import ServiceMessage, ServiceRequest
from parcauto.subscriptions.models import Subscription, WaitingListEntry
from parcauto.tenants.models import Organization
from parcauto.tenants.scoping import institutions_each
from parcauto.vehicles.models import Vehicle, VehicleChange

Row = dict[str, Any]


@dataclass
class ExportFiles:
    """The files to put in the archive: path inside it -> the stored file."""

    files: dict[str, FieldFile] = field(default_factory=dict)

    def add(self, folder: str, stem: str, file: FieldFile, content_type: str) -> str | None:
        if not file or not file.name:
            return None
        path = f"{folder}/{download_name(stem, content_type)}"
        self.files[path] = file
        return path


def values(obj: Model, *names: str) -> Row:
    return {name: getattr(obj, name) for name in names}


def addresses_of(person: User) -> list[str]:
    """Every address the account has, asked for, or changed to since: its e-mails went to
    them (the audit trail keeps the addresses of past changes)."""
    known = {person.email.lower()}
    others = EmailAddress.objects.filter(user=person).values_list("email", flat=True)
    changed_to = AuditEvent.objects.filter(
        action="account.email_changed", target_type="accounts.user", target_id=str(person.pk)
    ).values_list("data__email", flat=True)
    known |= {a.lower() for a in [*others, *changed_to] if isinstance(a, str) and a}
    return sorted(known)


# --- The account ---------------------------------------------------------------------


def account_section(person: User) -> Row:
    profile = Profile.objects.filter(user=person).first()
    return {
        "account": {
            **values(person, "email", "first_name", "last_name", "language"),
            "created_at": person.date_joined,
            "last_login": person.last_login,
            "signed_up_on_portal_of": person.signup_organization.slug
            if person.signup_organization
            else None,
            "email_addresses": [
                values(a, "email", "verified", "primary")
                for a in EmailAddress.objects.filter(user=person).order_by("pk")
            ],
            "two_step_verification": sorted(
                Authenticator.objects.filter(user=person).values_list("type", flat=True)
            ),
            "staff_roles": _staff_roles(person),
        },
        "profile": None
        if profile is None
        else values(
            profile,
            "gender",
            "first_name",
            "last_name",
            "address_line1",
            "apartment",
            "address_line2",
            "city",
            "province",
            "postal_code",
            "mobile_phone",
            "home_phone",
            "home_phone_ext",
            "work_phone",
            "work_phone_ext",
            "created_at",
            "updated_at",
        ),
        "email_preferences": [
            values(o, "topic", "since", "until")
            for o in EmailOptOut.objects.filter(person=person).order_by("since", "pk")
        ],
    }


def _staff_roles(person: User) -> list[Row]:
    """Each staff role, with the lots a patrol role names (their numbers): read through
    the link table, as the lots belong to the roles' institutions, not to one scope."""
    lots: dict[int, list[str]] = {}
    for role_id, number in (
        StaffRole.lots.through.objects.filter(staffrole__user=person)
        .order_by("parkinglot__number")
        .values_list("staffrole_id", "parkinglot__number")
    ):
        lots.setdefault(role_id, []).append(number)
    return [
        {
            "role": role.role,
            "institution": role.organization.slug if role.organization else None,
            "lots": lots.get(role.pk, []),
        }
        for role in StaffRole.objects.filter(user=person).select_related("organization")
    ]


def vehicles_section(person: User) -> Row:
    vehicles = Vehicle.objects.filter(owner=person).order_by("created_at", "pk")
    changes: dict[int, list[Row]] = {}
    for change in VehicleChange.objects.filter(vehicle__owner=person).order_by("changed_at", "pk"):
        changes.setdefault(change.vehicle_id, []).append(
            values(change, "action", "before", "after", "changed_at", "effective_at")
        )
    return {
        "vehicles": [
            {
                **values(
                    v, "plate", "jurisdiction", "make", "model", "year", "colour", "created_at"
                ),
                "removed_at": v.removed_at,
                "history": changes.get(v.pk, []),
            }
            for v in vehicles
        ]
    }


# --- Contracts, institution by institution --------------------------------------------


def contracts_section(person: User, files: ExportFiles) -> Row:
    institutions = []
    for organization in institutions_each():
        with scope(organization=organization):
            found = _institution(person, organization, files)
        if found is not None:
            institutions.append(found)
    return {"institutions": institutions}


def _institution(person: User, organization: Organization, files: ExportFiles) -> Row | None:
    contracts = list(
        Subscription.objects.filter(organization=organization, person=person)
        .select_related("lot", "category", "product")
        .prefetch_related("vehicles", "consents__legal_text", "attachments")
        .order_by("created_at", "pk")
    )
    waiting = list(
        WaitingListEntry.objects.filter(organization=organization, person=person).select_related(
            "product", "lot"
        )
    )
    grants = list(
        ProductGrant.objects.filter(organization=organization, user=person).select_related(
            "product"
        )
    )
    requests = list(
        ServiceRequest.objects.filter(organization=organization, person=person)
        .select_related("subscription", "lot")
        .prefetch_related("messages", "attachments")
        .order_by("created_at", "pk")
    )
    if not (contracts or waiting or grants or requests):
        return None
    folder = f"fichiers/{organization.slug}"
    return {
        "institution": {"slug": organization.slug, "name": organization.name},
        "contracts": [_contract(c, files, folder) for c in contracts],
        "waiting_lists": [
            {
                "product": e.product.number,
                "lot": e.lot.number,
                **values(e, "status", "created_at", "offered_at", "offer_expires_at"),
            }
            for e in waiting
        ],
        "hidden_products_granted": [
            {"product": g.product.number, "reason": g.reason, "granted_at": g.created_at}
            for g in grants
        ],
        "requests": [_request(r, files, f"{folder}/demandes") for r in requests],
    }


def _request(request: ServiceRequest, files: ExportFiles, folder: str) -> Row:
    """A request to the service centre, with what was said in it (internal notes are the
    staff's working notes about the request, not data given by or about the person)."""
    return {
        **values(
            request,
            "number",
            "kind",
            "state",
            "subject",
            "text",
            "contact_email",
            "full_name",
            "requested_end_date",
            "created_at",
            "closed_at",
        ),
        "contract": request.subscription.contract_number if request.subscription else None,
        "lot": request.lot.number if request.lot else None,
        "messages": [
            {"from": m.kind, "body": m.body, "at": m.created_at}
            for m in request.messages.all()
            if m.kind != ServiceMessage.Kind.NOTE
        ],
        "files": [
            files.add(folder, f"demande-{request.number}-{a.pk}", a.file, a.content_type)
            for a in request.attachments.all()
        ],
    }


def _contract(contract: Subscription, files: ExportFiles, folder: str) -> Row:
    number = contract.contract_number
    here = f"{folder}/{number or f'brouillon-{contract.pk}'}"
    return {
        **values(
            contract,
            "contract_number",
            "status",
            "start_date",
            "end_date",
            "employee_number",
            "school",
            "internship_discipline",
            "payment_method",
            "price",
            "billing_frequency",
            "language",
            "created_at",
            "submitted_at",
            "decided_at",
            "refusal_reason",
            "activated_at",
            "cancelled_at",
            "suspended_at",
        ),
        "step": contract.step if contract.status == Subscription.Status.DRAFT else None,
        "lot": {"number": contract.lot.number, "name": contract.lot.name},
        "category": contract.category.name_fr,
        "product": {"number": contract.product.number, "name": contract.product.name_fr},
        "vehicles": sorted(v.plate for v in contract.vehicles.all()),
        "consents": [
            {
                "kind": c.kind,
                "text": c.legal_text.kind if c.legal_text else None,
                "version": c.legal_text.version if c.legal_text else None,
                "accepted_at": c.accepted_at,
            }
            for c in contract.consents.all()
        ],
        "files": [
            {
                **values(a, "kind", "original_name", "content_type", "size", "created_at"),
                "in_archive": files.add(here, a.download_stem, a.file, a.content_type),
            }
            for a in contract.attachments.all()
        ],
        "payment_methods": [_method(m, files, here) for m in _methods(contract)],
        "invoices": _invoices(contract),
        "access_pass": _pass(contract),
        "access_events": [
            {
                "lot": e.lot.number,
                **values(e, "recorded_at", "direction", "allowed", "reason", "plate"),
            }
            for e in AccessEvent.objects.filter(subscription=contract)
            .select_related("lot")
            .order_by("recorded_at", "pk")
        ],
    }


def _methods(contract: Subscription) -> list[PaymentMethod]:
    return list(PaymentMethod.objects.filter(subscription=contract).order_by("created_at", "pk"))


def _method(method: PaymentMethod, files: ExportFiles, folder: str) -> Row:
    """A means of payment as a statement shows it: never a token, nor a whole account."""
    row = values(method, "kind", "status", "created_at", "revoked_at")
    if method.card_last4 or method.card_brand:
        row["card"] = {
            "brand": method.card_brand,
            "number": crypto.masked(method.card_last4),
            "expiry": method.card_expiry,
        }
    if method.bank_account_last_digits:
        row["bank_account"] = {
            **values(method, "bank_institution", "bank_transit", "holder_name", "holder_kind"),
            "account": crypto.masked(method.bank_account_last_digits),
            "pad_agreement_version": method.pad_agreement.version if method.pad_agreement else None,
            "pad_agreement_accepted_at": method.pad_agreement_accepted_at,
            "cheque_specimen": files.add(
                folder,
                f"specimen-cheque-{method.pk}",
                method.cheque_specimen,
                stored_document_type(method.cheque_specimen) if method.cheque_specimen else "",
            ),
        }
    if method.employee_number or method.payroll_authorized_at:
        row["payroll"] = values(method, "employee_number", "payroll_authorized_at")
    return row


def _invoices(contract: Subscription) -> list[Row]:
    invoices = list(Invoice.objects.filter(subscription=contract).order_by("period_start", "pk"))
    refunds: dict[int, list[Row]] = {}
    for refund in Refund.objects.filter(invoice__subscription=contract).order_by("pk"):
        refunds.setdefault(refund.invoice_id, []).append(
            values(refund, "amount", "reason", "status", "created_at")
        )
    attempts: dict[int, list[Row]] = {}
    for attempt in PaymentAttempt.objects.filter(invoice__subscription=contract).order_by("pk"):
        attempts.setdefault(attempt.invoice_id or 0, []).append(
            values(attempt, "kind", "amount", "status", "message", "created_at", "settled_at")
        )
    return [
        {
            **values(
                i,
                "number",
                "kind",
                "period_start",
                "period_end",
                "due_date",
                "payment_method",
                "amount",
                "pre_tax",
                "gst",
                "qst",
                "amount_paid",
                "status",
                "paid_at",
            ),
            "payments": attempts.get(i.pk, []),
            "refunds": refunds.get(i.pk, []),
        }
        for i in invoices
    ]


def _pass(contract: Subscription) -> Row | None:
    found = AccessPass.objects.filter(subscription=contract).first()
    return None if found is None else values(found, "serial_number", "state", "token_issued_at")


# --- What was sent and done -----------------------------------------------------------


def emails_section(person: User) -> Row:
    """The e-mails sent to the person's addresses, as stored (personal links redacted)."""
    to_them = Q()
    for address in addresses_of(person):
        to_them |= Q(to__iexact=address)
    return {
        "emails": [
            values(e, "to", "subject", "body_text", "language", "status", "created_at", "sent_at")
            for e in OutboundEmail.objects.filter(to_them).order_by("created_at", "pk")
        ]
    }


def activity_section(person: User) -> Row:
    """What the person did, and what was done to their account, as the audit trail says."""
    about_them = Q(actor=person) | Q(target_type="accounts.user", target_id=str(person.pk))
    return {
        "activity": [
            {
                "institution": e.organization.slug if e.organization else None,
                **values(e, "created_at", "action", "target_type", "target_id", "data"),
            }
            for e in AuditEvent.objects.filter(about_them)
            .select_related("organization")
            .order_by("created_at", "pk")
        ]
    }
