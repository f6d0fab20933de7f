"""Demo lots, user categories and permit products, per institution slug."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from parcauto.catalog.models import ParkingLot, PermitProduct, UserCategory
from parcauto.catalog.services import product_set_offer
from parcauto.tenants.models import Organization

from .upsert import upsert

_QUEBEC = ZoneInfo("America/Toronto")
CARD_ONLY = {"accepts_card": True, "accepts_pad": False, "accepts_payroll": False}
CARD_OR_PAD = {"accepts_card": True, "accepts_pad": True, "accepts_payroll": False}
PAYROLL_ONLY = {"accepts_card": False, "accepts_pad": False, "accepts_payroll": True}
ANY_METHOD = {"accepts_card": True, "accepts_pad": True, "accepts_payroll": True}
# Shown on the demo's table: what a manager types to see the reserved-space permit.
VIP_ACCESS_CODE = "CADRES-HULL"

Kind, Billing = PermitProduct.Kind, PermitProduct.Billing

LOTS: dict[str, list[dict[str, Any]]] = {
    "cem": [
        {
            "number": "2010",
            "name": "Cégep Édouard-Montpetit",
            "address_line": "945 chemin de Chambly",
            "postal_code": "J4H 3M6",
            "city": "Longueuil",
            "access_mode": ParkingLot.AccessMode.READER,
            "capacity": 1200,
        }
    ],
    "ciusse-chus": [
        {
            "number": "1085",
            "name": "CIUSSS de l'Estrie - CHUS",
            "address_line": "375 rue Argyll",
            "postal_code": "J1J 3H5",
            "city": "Sherbrooke",
            "access_mode": ParkingLot.AccessMode.PLATE,
            "capacity": 850,
        }
    ],
    "cisso": [
        {
            # As the cisso guide prints it (J6Y is not a Gatineau prefix, but it is the guide's).
            "number": "1534",
            "name": "CISSS Outaouais",
            "address_line": "116 boul. Lionel-Émond",
            "postal_code": "J6Y 1W7",
            "city": "Gatineau",
            "access_mode": ParkingLot.AccessMode.PLATE,
            "capacity": 420,
        },
        {
            "number": "1461",
            "name": "Hôpital de Hull",
            "address_line": "116 boul. Lionel-Émond",
            "postal_code": "J8Y 1W7",
            "city": "Gatineau",
            "access_mode": ParkingLot.AccessMode.READER,
            "capacity": 600,
        },
    ],
}

CATEGORIES: dict[str, list[dict[str, Any]]] = {
    "cem": [
        {"name_fr": "Étudiant", "name_en": "Student", "email_domain": "cegepmontpetit.ca"}
        | CARD_ONLY,
        {"name_fr": "Employé", "name_en": "Employee", "requires_employee_number": True}
        | CARD_OR_PAD,
    ],
    "ciusse-chus": [
        {
            "name_fr": "Superviseur de stage",
            "name_en": "Internship supervisor",
            "requires_school": True,
            "requires_internship_discipline": True,
            "requires_proof_document": True,
        }
        | CARD_OR_PAD,
    ],
    "cisso": [
        {
            "name_fr": "Employé du CISSSO",
            "name_en": "CISSSO employee",
            "requires_employee_number": True,
            "employee_number_help_fr": "Si vous êtes résident, inscrivez «\u00a0résident\u00a0».",
            "employee_number_help_en": "If you are a resident, enter “resident”.",
        }
        | ANY_METHOD,
        {"name_fr": "Résident", "name_en": "Resident"} | CARD_OR_PAD,
    ],
}


def _local(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=_QUEBEC)


# Each product: its values, plus "lots" (numbers) and "categories" (French names).
PRODUCTS: dict[str, list[dict[str, Any]]] = {
    "cem": [
        {
            "number": "3001",
            "name_fr": "Permis session hiver 2027",
            "name_en": "Winter 2027 semester permit",
            "description_fr": "Du premier jour de cours au dernier jour d'examens. "
            "Quantité limitée.",
            "description_en": "From the first day of classes to the last exam day. "
            "Limited quantity.",
            "kind": Kind.FIXED_TERM,
            "billing_frequency": Billing.PER_TERM,
            "price": Decimal("189.00"),
            "term_start": dt.date(2027, 1, 15),
            "term_end": dt.date(2027, 5, 31),
            "sales_start": _local(2026, 11, 1),
            "sales_end": _local(2027, 3, 1),
            "quantity": 400,
            "approval_required": False,
            "lots": ["2010"],
            "categories": ["Étudiant", "Employé"],
        }
        | CARD_ONLY,
        {
            "number": "3002",
            "name_fr": "Forfait Occasionnel",
            "name_en": "Occasional bundle",
            "description_fr": "Dix entrées à utiliser quand vous voulez. Toujours en vente.",
            "description_en": "Ten entries to use whenever you like. Always on sale.",
            "kind": Kind.OCCASIONAL,
            "billing_frequency": Billing.ONE_TIME,
            "price": Decimal("55.00"),
            "approval_required": False,
            "lots": ["2010"],
            "categories": ["Étudiant", "Employé"],
        }
        | CARD_ONLY,
    ],
    "ciusse-chus": [
        {
            "number": "5569",
            "name_fr": "Permis G (général zone 1) - Superviseur de stage-épisodique",
            "name_en": "G permit (general zone 1) - Internship supervisor, episodic",
            "description_fr": "Pour la durée de votre stage, aux dates que vous choisissez. "
            "Vérifiez que le permis est valide sur le site de votre stage.",
            "description_en": "For the length of your internship, on the dates you choose. "
            "Check that the permit is valid where your internship takes place.",
            "kind": Kind.EPISODIC,
            "billing_frequency": Billing.MONTHLY,
            "price": Decimal("23.08"),
            "max_term_days": 120,  # an internship: a semester at most
            "approval_required": True,
            "lots": ["1085"],
            "categories": ["Superviseur de stage"],
        }
        | CARD_OR_PAD,
    ],
    "cisso": [
        {
            "number": "7117",
            "name_fr": "1461 - Hôpital de Hull - Employé CISSSO",
            "name_en": "1461 - Hôpital de Hull - CISSSO employee",
            # Guide 002 shows it as "DAS (Déduction à la source)": no payment step.
            "description_fr": "Abonnement mensuel en tout temps. DAS (Déduction à la source).",
            "description_en": "Monthly subscription, any time. Payroll deduction.",
            "kind": Kind.MONTHLY,
            "billing_frequency": Billing.MONTHLY,
            "price": Decimal("64.39"),
            "approval_required": True,
            "lots": ["1461"],
            "categories": ["Employé du CISSSO"],
        }
        | PAYROLL_ONLY,
        {
            "number": "7116",
            "name_fr": "1461 - Hôpital de Hull - Cadres du CISSSO - Espace Réservé",
            "name_en": "1461 - Hôpital de Hull - CISSSO managers - Reserved space",
            "description_fr": "Service VIP : espace réservé aux cadres.",
            "description_en": "VIP service: a space reserved for managers.",
            "kind": Kind.MONTHLY,
            "billing_frequency": Billing.MONTHLY,
            "price": Decimal("112.68"),
            "visibility": PermitProduct.Visibility.HIDDEN,
            "access_code": VIP_ACCESS_CODE,
            "approval_required": True,
            "quantity": 25,
            "lots": ["1461"],
            "categories": ["Employé du CISSSO"],
        }
        | ANY_METHOD,
        {
            "number": "5432",
            "name_fr": "Permis multisites - Employé CISSSO",
            "name_en": "Multisite permit - CISSSO employee",
            "description_fr": "Valide au CISSS Outaouais (1534) et à l'Hôpital de Hull (1461).",
            "description_en": "Valid at CISSS Outaouais (1534) and Hôpital de Hull (1461).",
            "kind": Kind.MONTHLY,
            "billing_frequency": Billing.MONTHLY,
            "price": Decimal("79.33"),
            "approval_required": True,
            "lots": ["1534", "1461"],
            "categories": ["Employé du CISSSO", "Résident"],
        }
        | ANY_METHOD,
    ],
}

_CATEGORY_DEFAULTS: dict[str, Any] = {
    "requires_employee_number": False,
    "requires_school": False,
    "requires_internship_discipline": False,
    "requires_proof_document": False,
    "employee_number_help_fr": "",
    "employee_number_help_en": "",
    "email_domain": "",
    "is_active": True,
}

# Defaults written on every product, so a re-run restores the demo state.
_PRODUCT_DEFAULTS: dict[str, Any] = {
    "description_fr": "",
    "description_en": "",
    "taxable": True,
    "term_start": None,
    "term_end": None,
    "visibility": PermitProduct.Visibility.PUBLIC,
    "access_code": "",
    "quantity": None,
    "sales_start": None,
    "sales_end": None,
    "cancellation_notice_days": 30,
    "is_active": True,
}


def load_catalog(organizations: dict[str, Organization]) -> None:
    for slug, organization in organizations.items():
        lots = {
            data["number"]: upsert(
                ParkingLot,
                lookup={"organization": organization, "number": data["number"]},
                values={**data, "province": "QC", "is_active": True},
            )
            for data in LOTS.get(slug, [])
        }
        categories = {
            data["name_fr"]: upsert(
                UserCategory,
                lookup={"organization": organization, "name_fr": data["name_fr"]},
                values={**_CATEGORY_DEFAULTS, "sort_order": position, **data},
            )
            for position, data in enumerate(CATEGORIES.get(slug, []), start=1)
        }
        for data in PRODUCTS.get(slug, []):
            values = {**_PRODUCT_DEFAULTS, **data}
            lot_numbers, category_names = values.pop("lots"), values.pop("categories")
            product = upsert(
                PermitProduct,
                lookup={"organization": organization, "number": values.pop("number")},
                values=values,  # never units_taken: it counts real subscriptions
            )
            product_set_offer(
                product=product,
                lots=[lots[number] for number in lot_numbers],
                categories=[categories[name] for name in category_names],
            )
