"""Parcauto's own system checks: production fails closed.

A setting that would leave a production site unsafe or quietly broken (a sandbox taking
cards, bank accounts without a key, e-mails never sent) is an Error of a check tagged
`PARCAUTO`: `manage.py check` and every management command (migrate, db_worker,
run_scheduler) stop on it, and `parcauto.wsgi` refuses to serve (`startup_checks`), each
with the message saying what to set. Advice for a production site (a staging-only
choice, a multi-process pitfall) is a Warning of `check --deploy`, which `make check`
runs with `--fail-level WARNING`. The checks read settings only; `settings.DEBUG` is
development, where the development defaults are meant.

Each app keeps its checks in its own `checks.py`, registered in its AppConfig.ready.
Ids, by app:

| ids | app | about |
|---|---|---|
| parcauto.E001-E009, W001-W009 | core | metrics |
| parcauto.E010-E019, W010-W019 | payments | card gateway, bank account encryption keys |
| parcauto.E020-E029, W020-W029 | notifications | mail |
| parcauto.E030-E039, W030-W039 | wallets | Apple and Google Wallet certificates and keys |
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

PARCAUTO = "parcauto"  # the tag of the checks start-up runs
_MIN_TOKEN_LENGTH = 32


def startup_checks() -> None:
    """Stop a server that is about to start with an Error of a `PARCAUTO` check.

    Management commands run the checks themselves; a WSGI server does not.
    """
    errors = [message for message in checks.run_checks(tags=[PARCAUTO]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Parcauto will not start:\n" + "\n".join(f"  {error}" for error in errors)
        )


def metrics_check(**kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    token = settings.PARCAUTO_METRICS_TOKEN
    if token and len(token) < _MIN_TOKEN_LENGTH:
        errors.append(
            checks.Error(
                f"PARCAUTO_METRICS_TOKEN is shorter than {_MIN_TOKEN_LENGTH} characters.",
                hint="Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                id="parcauto.E001",
            )
        )
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if directory and not (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        errors.append(
            checks.Error(
                f"PROMETHEUS_MULTIPROC_DIR ({directory}) is not a writable directory.",
                hint="Create it (empty) before the server starts, or unset it.",
                id="parcauto.E002",
            )
        )
    return errors


def metrics_deploy_check(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or not settings.PARCAUTO_METRICS_TOKEN:
        return []
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return []
    return [
        checks.Warning(
            "Metrics are on without PROMETHEUS_MULTIPROC_DIR: each gunicorn process counts "
            "its own requests, and a scrape sees only the process that answered it.",
            hint="Set PROMETHEUS_MULTIPROC_DIR to an empty directory, emptied at each start.",
            id="parcauto.W001",
        )
    ]
