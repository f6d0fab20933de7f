"""`manage.py wallet_dev_credentials`: make (or remake) the development wallet chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from parcauto.wallets.devchain import dev_chain_ensure


class Command(BaseCommand):
    help = (
        "Make the development certificates and keys of the wallets under WALLET_DEV_DIR "
        "(made on first use anyway): a root CA, a WWDR-like intermediate, a Pass Type ID "
        "certificate and key, and a Google service-account key file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--replace", action="store_true", help="Make a new chain even if one exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = dev_chain_ensure(
            Path(settings.WALLET_DEV_DIR),
            pass_type_id=settings.WALLET_APPLE_PASS_TYPE_ID,
            team_id=settings.WALLET_APPLE_TEAM_ID,
            replace=options["replace"],
        )
        self.stdout.write(f"Root CA (trust it to verify a pass): {files.root_ca}")
        self.stdout.write(f"WWDR intermediate: {files.wwdr}")
        self.stdout.write(f"Pass Type ID certificate and key: {files.certificate}, {files.key}")
        self.stdout.write(f"Google service account: {files.google_service_account}")
