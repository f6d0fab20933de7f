"""Production fails closed: each of Parcauto's system checks fires on what it guards, a
production site configured in full passes them all, development passes them as it is,
and a server does not start on an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from parcauto.core.checks import startup_checks
from tests.production import SANDBOX, check_ids, production_configure

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(settings, tmp_path, monkeypatch):
    production_configure(settings, tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    return settings


def test_a_production_site_configured_in_full_passes_every_check(production):
    assert check_ids() == []
    startup_checks()  # does not raise


def test_development_passes_as_it_is(settings):
    settings.DEBUG = True  # what the settings module derived its defaults from
    assert check_ids() == []


def test_a_short_metrics_token_is_refused(production):
    production.PARCAUTO_METRICS_TOKEN = "secret"
    assert check_ids(deploy=False) == ["parcauto.E001"]


def test_a_multiprocess_directory_that_does_not_exist_is_refused(production, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "gone"))
    assert check_ids(deploy=False) == ["parcauto.E002"]


def test_metrics_without_the_multiprocess_directory_are_a_deploy_warning(production, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert check_ids(deploy=False) == []
    assert check_ids() == ["parcauto.W001"]
    production.PARCAUTO_METRICS_TOKEN = ""  # no metrics, nothing to add up
    assert check_ids() == []


def test_start_up_stops_on_an_error_with_every_message(production):
    production.PAYMENTS_GATEWAY = SANDBOX
    production.PAYMENTS_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured) as stopped:
        startup_checks()
    message = str(stopped.value)
    assert message.startswith("Parcauto will not start:")
    assert "parcauto.E011" in message and "parcauto.E014" in message


def test_start_up_does_not_stop_on_a_warning(production, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert check_ids() == ["parcauto.W001"]
    startup_checks()  # does not raise


def _production_process(code: str) -> subprocess.CompletedProcess[str]:
    keep = ("DJANGO_", "PAYMENTS_", "EMAIL_", "MONERIS_", "PARCAUTO_", "SENTRY_", "PROMETHEUS_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(keep)}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env
        | {
            "DJANGO_SETTINGS_MODULE": "parcauto.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "k8Vq3-test-only-0f9e8d7c6b5a4938271605f4e3d2c1b0a9z8y7x6w5v4",
            "DJANGO_ALLOWED_HOSTS": ".parcauto.ca",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wsgi_application_refuses_to_start_on_production_defaults():
    """No gateway, key nor relay given: the server stops, saying what to set."""
    result = _production_process("import parcauto.wsgi")
    assert result.returncode != 0
    assert "Parcauto will not start" in result.stderr
    for check in ("parcauto.E011", "parcauto.E014", "parcauto.E020"):
        assert check in result.stderr


def test_management_commands_refuse_to_run_on_production_defaults():
    result = _production_process(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'migrate', '--plan'])"
    )
    assert result.returncode != 0
    assert "parcauto.E011" in result.stderr
