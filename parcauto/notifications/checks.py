"""System checks of the mail (ids parcauto.E020-E029, W020-W029; see core.checks).

Outside DEBUG, e-mails (validation links, PAD notices the law requires) must leave
through an SMTP relay, or be kept in files on purpose (EMAIL_URL=file:///...) on a
staging site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from parcauto.core.mail_url import SMTP_BACKEND


def mail_check(**kwargs: Any) -> list[checks.CheckMessage]:
    mailer = settings.MAILERS["default"]
    if mailer["BACKEND"] == SMTP_BACKEND and not mailer["OPTIONS"].get("host"):
        return [
            checks.Error(
                "EMAIL_URL names no SMTP host.",
                hint="EMAIL_URL=smtp://user:password@relay.example:587",
                id="parcauto.E021",
            )
        ]
    if not settings.DEBUG and not settings.EMAIL_URL:
        return [
            checks.Error(
                "EMAIL_URL is not set outside DEBUG: e-mails would be written to "
                f"{settings.MAIL_DIR} and never sent.",
                hint="EMAIL_URL=smtp://user:password@relay.example:587 (or file:///directory "
                "on a staging site that must send nothing).",
                id="parcauto.E020",
            )
        ]
    return []


def mail_deploy_check(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    warnings: list[checks.CheckMessage] = []
    if settings.EMAIL_URL and settings.MAILERS["default"]["BACKEND"] != SMTP_BACKEND:
        warnings.append(
            checks.Warning(
                f"E-mails are written to {settings.MAIL_DIR} and never sent "
                "(EMAIL_URL=file://...): a staging site only.",
                id="parcauto.W020",
            )
        )
    domain = settings.DEFAULT_FROM_EMAIL.rstrip("> ").rpartition("@")[2].lower()
    if domain == "localhost" or domain.endswith(".localhost"):
        warnings.append(
            checks.Warning(
                f"DEFAULT_FROM_EMAIL ({settings.DEFAULT_FROM_EMAIL}) is the development "
                "sender: relays refuse it, or it lands in spam.",
                hint="DEFAULT_FROM_EMAIL='Parcauto <no-reply@your-domain>'",
                id="parcauto.W021",
            )
        )
    return warnings
