"""What a wallet pass shows, as plain data: built once from an AccessPass, then drawn by
Apple's and Google's builders, which never touch the database (and are tested alone)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from parcauto.access.models import AccessPass
from parcauto.access.selectors import pass_card
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.links import portal_absolute_url
from parcauto.tenants.models import Organization
from parcauto.vehicles.selectors import vehicle_list

from .errors import WalletUnavailable


class PassState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # shown "Suspendu"; the gate refuses it
    VOIDED = "voided"  # cancelled, ended or refused: the wallet greys it out


@dataclass(frozen=True, kw_only=True)
class Institution:
    slug: str
    name_fr: str
    name_en: str
    languages: tuple[str, ...]
    colour: str  # "#rrggbb"
    logo: bytes | None  # the uploaded file as it is (PNG, JPEG or SVG)
    phone: str


@dataclass(frozen=True, kw_only=True)
class Lot:
    number: str
    name: str

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"  # noqa: RUF001 - an en dash, as in print


@dataclass(frozen=True, kw_only=True)
class PassContent:
    serial_number: str
    token: str  # the QR code's message
    state: PassState
    revision: int
    changed_at: dt.datetime
    contract_number: str
    holder_name: str
    product_fr: str
    product_en: str
    lots: tuple[Lot, ...]
    valid_from: dt.date
    valid_until: dt.date | None  # the last day included; None: open-ended
    plates: tuple[str, ...]
    institution: Institution
    web_service_url: str  # Apple's PassKit web service for this institution's portal
    logo_url: str  # the logo Google fetches

    @property
    def is_voided(self) -> bool:
        return self.state is PassState.VOIDED


def _logo_bytes(organization: Organization) -> bytes | None:
    if not organization.logo:
        return None
    try:
        with organization.logo.open("rb") as file:
            data: bytes = file.read()
            return data
    except OSError:  # the file is gone: the parking sign stands in
        return None


def institution_of(organization: Organization) -> Institution:
    return Institution(
        slug=organization.slug,
        name_fr=organization.name_fr,
        name_en=organization.name_en or organization.name_fr,
        languages=tuple(organization.languages),
        colour=organization.primary_colour,
        logo=_logo_bytes(organization),
        phone=organization.service_centre_phone,
    )


def pass_content(access_pass: AccessPass, *, now: dt.datetime) -> PassContent:
    """The pass as the wallets show it now: access's card of its contract (the same facts
    as the pass page and the e-mail). Read in the pass's institution's scope."""
    contract = Subscription.objects.select_related("organization", "person", "lot", "product").get(
        pk=access_pass.subscription_id
    )
    card = pass_card(access_pass=access_pass, contract=contract, now=now)
    if card.token is None:  # no configured key opens it: the holder regenerates it
        raise WalletUnavailable
    organization = contract.organization
    return PassContent(
        serial_number=str(access_pass.serial_number),
        token=card.token,
        state=PassState(card.state),
        revision=access_pass.revision,
        changed_at=access_pass.changed_at,
        contract_number=str(contract.contract_number or ""),
        holder_name=card.holder,
        product_fr=contract.product.name_fr,
        product_en=contract.product.name_en or contract.product.name_fr,
        lots=tuple(Lot(number=lot.number, name=lot.name) for lot in card.lots),
        valid_from=card.valid_from,
        valid_until=card.valid_until,
        # The account's plates as registered now, a change still waiting for its delay
        # included: what access counts as shown, so the pass changes when they do.
        plates=tuple(
            f"{vehicle.plate} ({vehicle.jurisdiction})"
            for vehicle in vehicle_list(owner=contract.person)
        ),
        institution=institution_of(organization),
        web_service_url=portal_absolute_url(organization, "wallets:apple_log").removesuffix(
            "/v1/log"
        ),
        logo_url=portal_absolute_url(organization, "wallets:logo"),
    )
