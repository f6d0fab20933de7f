"""`manage.py load_demo_data`: the three demo portals, their catalog and demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from parcauto.accounts.models import StaffRole
from parcauto.demo.loader import DemoResult, load_demo_data


class Command(BaseCommand):
    help = (
        "Create or restore the demo institutions (cem, ciusse-chus, cisso), their lots, "
        "categories and products, and demo accounts with a known password. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (creates accounts with a published password).",
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port shown in the printed URLs."
        )

    def handle(self, *args: Any, force: bool, port: int, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts have a "
                "published password. Use --force if you really mean it."
            )
        result = load_demo_data(base_domain=settings.PARCAUTO_BASE_DOMAIN)
        self.stdout.write(self.render(result, port=port))

    def render(self, result: DemoResult, *, port: int) -> str:
        suffix = "" if port in (80, 443) else f":{port}"
        root = (settings.PARCAUTO_ROOT_HOSTS or ["localhost"])[0]
        lines = [
            "",
            "Parcauto demo data is loaded (run it again any time: nothing is duplicated).",
            "",
        ]
        lines.append("Portals")
        for slug, name, hostname in result.portals:
            lines.append(f"  {slug:<12} {name:<28} http://{hostname}{suffix}/")
        lines.append(f"  {'':<12} {'Back office':<28} http://{root}{suffix}/admin/")
        lines += ["", "Accounts", f"  {'E-mail':<34} {'Password':<21} Role"]
        for account in result.accounts:
            if account.role == "customer":
                role = "Customer (profile complete, any portal)"
            else:
                where = account.organization_slug or "all institutions"
                with translation.override("en"):
                    role = f"{StaffRole.Role(account.role).label} ({where})"
            lines.append(f"  {account.email:<34} {account.password:<21} {role}")
        lines.append("")
        for (slug, number), code in result.access_codes.items():
            lines.append(f"Hidden product {number} ({slug}): shown to people who type {code}")
        lines += [
            "",
            "Staff accounts are asked to set up an authenticator app (MFA, TOTP) at their",
            "first login, before they can reach the back office.",
            "",
        ]
        return "\n".join(lines)
