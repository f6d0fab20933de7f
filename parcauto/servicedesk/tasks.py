"""Service-desk jobs: ending the contracts whose last day has passed (scheduled)."""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now

from .services.contract_end import contracts_end_due


@task()
def end_contracts_due() -> int:
    """ENDING contracts whose last day has passed become ENDED (then settled)."""
    return contracts_end_due(now=now())
