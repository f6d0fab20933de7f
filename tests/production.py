"""A production site's settings, every one given as an operator would: the starting point
of the system-check tests, each of which then takes one setting away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.core import checks

from parcauto.core.checks import PARCAUTO
from parcauto.core.mail_url import mailers_from_url

MONERIS = "parcauto.payments.gateways.moneris.MonerisGateway.from_settings"
SANDBOX = "parcauto.payments.gateways.sandbox.SandboxGateway.from_settings"


def production_configure(settings: Any, tmp_path: Path) -> None:
    settings.DEBUG = False
    settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY = False
    settings.PAYMENTS_GATEWAY = MONERIS
    settings.MONERIS_STORE_ID = "store1"
    settings.MONERIS_API_TOKEN = "yesguy1"
    settings.MONERIS_HT_PROFILE_ID = "ht1"
    settings.MONERIS_HOST = "www3.moneris.com"
    settings.PAYMENTS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    mail_url("smtp://parcauto:secret@relay.parcauto.ca:587", settings, tmp_path)
    settings.DEFAULT_FROM_EMAIL = "Parcauto <no-reply@parcauto.ca>"
    settings.PARCAUTO_METRICS_TOKEN = "m" * 40
    settings.WALLET_DEV_CREDENTIALS = False


def mail_url(url: str, settings: Any, tmp_path: Path) -> None:
    """EMAIL_URL as the settings module reads it."""
    settings.EMAIL_URL = url
    settings.MAIL_DIR, settings.MAILERS = mailers_from_url(url, development_dir=tmp_path / "mail")


def check_ids(*, deploy: bool = True) -> list[str]:
    """The ids Parcauto's checks report (with `check --deploy`'s, unless deploy=False)."""
    messages = checks.run_checks(tags=[PARCAUTO], include_deployment_checks=deploy)
    return sorted(str(message.id) for message in messages)
