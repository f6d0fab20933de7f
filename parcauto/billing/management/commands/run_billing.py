"""`manage.py run_billing [--date YYYY-MM-DD]`: the billing run, by hand or after a crash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parcauto.billing.services.run import billing_run
from parcauto.core.clock import local_today, now


class Command(BaseCommand):
    help = "Create the due invoices and collect them (safe to run again: nothing is done twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            help="The billing date (default: today in Quebec).",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Contracts and charges per batch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = now()
        run = billing_run(
            run_date=options["date"] or local_today(moment),
            now=moment,
            chunk_size=options["chunk_size"],
        )
        self.stdout.write(
            f"billing run {run.pk} of {run.run_date}: {run.contracts_seen} contracts, "
            f"{run.invoices_created} invoices, {run.charges_approved} charges approved, "
            f"{run.charges_declined} declined, {run.files_created} files"
        )
