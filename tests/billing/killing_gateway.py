"""A sandbox gateway that kills its process after BILLING_KILL_AFTER charges (fault tests).

Set PAYMENTS_GATEWAY=tests.billing.killing_gateway.KillingGateway.from_settings. Each
charge goes to the sandbox on its own, so the process dies *between* two charges: the
ones before are made and recorded by the gateway, the billing run never hears of them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from parcauto.payments.gateways.base import Charge, ChargeResult, GatewayError
from parcauto.payments.gateways.sandbox import SandboxGateway

KILLED = 77


class KillingGateway(SandboxGateway):
    charged = 0

    def purchase_many(self, charges: Sequence[Charge]) -> list[ChargeResult | GatewayError]:
        limit = int(os.environ.get("BILLING_KILL_AFTER", "0"))
        outcomes: list[ChargeResult | GatewayError] = []
        for charge in charges:
            if limit and KillingGateway.charged >= limit:
                os._exit(KILLED)  # no clean-up, no commit: as a kill -9 would
            outcomes.extend(super().purchase_many([charge]))
            KillingGateway.charged += 1
        return outcomes
