"""A pass's content made by hand: the builders are tested without the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from parcauto.core.clock import LOCAL_TZ
from parcauto.wallets.content import Institution, Lot, PassContent, PassState

SERIAL = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
TOKEN = "pQ3x_Zk9Lm2Vb7Rt5Ws1Yc4Nd8Hf6Jg0"


def content_made(**changes: Any) -> PassContent:
    content = PassContent(
        serial_number=SERIAL,
        token=TOKEN,
        state=PassState.ACTIVE,
        revision=3,
        changed_at=dt.datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ),
        contract_number="100234",
        holder_name="Marie Tremblay",
        product_fr="Permis G (général zone 1)",
        product_en="Permit G (general, zone 1)",
        lots=(Lot(number="1085", name="Stationnement P1"),),
        valid_from=dt.date(2026, 6, 1),
        valid_until=dt.date(2026, 7, 31),
        plates=("ABC123 (QC)",),
        institution=Institution(
            slug="chus",
            name_fr="CIUSSS de l'Estrie - CHUS",
            name_en="CIUSSS de l'Estrie - CHUS",
            languages=("fr", "en"),
            colour="#1f4e79",
            logo=None,
            phone="819 346-1110",
        ),
        web_service_url="https://chus.testserver/wallet/apple",
        logo_url="https://chus.testserver/wallet/logo.png",
    )
    return dataclasses.replace(content, **changes)
