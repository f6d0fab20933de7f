"""The tasks the privacy services queue: a download's archive, a closed account's erasure.

Here rather than in `privacy.tasks`, which imports the services for the periodic job:
the services queue these, and these call the services' work, one way only.
"""

from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now

from .erasure import account_erase
from .export_build import data_export_build


@task()
def build_data_export(*, export_id: int) -> str:
    export = data_export_build(export_id=export_id, now=now())
    return "already taken" if export is None else export.status


@task()
def erase_closed_account(*, closure_id: int) -> bool:
    """Erase once the confirmation has left; a failure leaves it to the retention job."""
    return account_erase(closure_id=closure_id, now=now())
