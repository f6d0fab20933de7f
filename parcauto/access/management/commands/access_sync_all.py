"""`manage.py access_sync_all`: every live contract's card and grants made true.

For the release that brings access cards (contracts active before it have none), or
after restoring a backup. Idempotent: a second run writes nothing. `--no-email` records
the card e-mail of active contracts as sent without sending it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_scopes import scope

from parcauto.access.services import access_sync
from parcauto.access.states import PASS_STATUSES
from parcauto.core.clock import now
from parcauto.subscriptions.models import Subscription
from parcauto.tenants.scoping import institutions_each


class Command(BaseCommand):
    help = "Issue or refresh the access card and grants of every live contract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-email",
            action="store_true",
            help="Do not send the card e-mail to active contracts (record it as sent).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = now()
        contracts = grants = 0
        for organization in institutions_each():  # one institution at a time
            with scope(organization=organization):
                ids = Subscription.objects.filter(
                    organization=organization, status__in=PASS_STATUSES
                ).values_list("pk", flat=True)
                for subscription in Subscription.objects.filter(pk__in=list(ids)).order_by("pk"):
                    result = access_sync(
                        subscription=subscription, now=moment, announce=not options["no_email"]
                    )
                    contracts += 1
                    grants += result.grants_changed
        self.stdout.write(f"{contracts} contracts synced, {grants} grants written")
