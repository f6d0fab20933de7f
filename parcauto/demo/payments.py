"""Demo bank and employer settings: each institution's PAD originator (its bank's
numbers, made up) and, where payroll deduction is offered, its employer code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcauto.payments.models import PadOriginator, PayrollEmployer
from parcauto.tenants.models import Organization

from .upsert import upsert

PAD_ORIGINATORS: dict[str, dict[str, Any]] = {
    "cem": {
        "originator_id": "CEMPARC001",
        "destination_data_centre": "00610",
        "short_name": "Stat. Montpetit",
        "long_name": "Cégep Édouard-Montpetit",
        "return_institution": "006",
        "return_transit": "00101",
        "return_account": "1002003",
        "bank_profile": "standard",
    },
    "ciusse-chus": {
        "originator_id": "CHUSPARC01",
        "destination_data_centre": "81510",
        "short_name": "Stat. CHUS",
        "long_name": "CIUSSS de l'Estrie - CHUS",
        "return_institution": "815",
        "return_transit": "30005",
        "return_account": "4005006",
        "bank_profile": "standard",
    },
    "cisso": {
        "originator_id": "CISSOPARC1",
        "destination_data_centre": "00310",
        "short_name": "Stat. CISSSO",
        "long_name": "CISSS de l'Outaouais",
        "return_institution": "003",
        "return_transit": "00011",
        "return_account": "7008009",
        "bank_profile": "rbc",
    },
}
# 26 pay periods a year, each from a Sunday: the demo's first 2026 pay period.
PAYROLL_EMPLOYERS: dict[str, dict[str, Any]] = {
    "ciusse-chus": {"employer_code": "CIUSSSE-CHUS", "period_anchor": dt.date(2026, 1, 4)},
    "cisso": {"employer_code": "CISSSO", "period_anchor": dt.date(2026, 1, 11)},
}


def load_payments(organizations: dict[str, Organization]) -> None:
    for slug, values in PAD_ORIGINATORS.items():
        # The file counter is the bank's sequence: a rerun of the demo never resets it.
        upsert(PadOriginator, lookup={"organization": organizations[slug]}, values=values)
    for slug, values in PAYROLL_EMPLOYERS.items():
        upsert(PayrollEmployer, lookup={"organization": organizations[slug]}, values=values)
