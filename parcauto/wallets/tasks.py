"""Tasks of the wallets, queued by access after each change of a pass
(`PARCAUTO_PASS_CHANGED_TASKS`)."""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.access.models import AccessPass
from parcauto.core.clock import now

from .services import wallet_pass_publish


@task()
def wallet_pass_changed(*, organization_id: int, pass_id: int) -> dict[str, int | str]:
    """Push the change to the pass's Apple devices and update its Google object."""
    with scope(organization=organization_id):
        access_pass = AccessPass.objects.filter(pk=pass_id).first()
        if access_pass is None:  # deleted since: nothing holds it any more
            return {}
        return wallet_pass_publish(access_pass=access_pass, now=now()).as_dict()
