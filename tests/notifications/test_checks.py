"""The mail's system checks (parcauto.E020-E021, W020-W021), and EMAIL_URL's shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from parcauto.core.mail_url import FILES_BACKEND, SMTP_BACKEND, mailers_from_url
from tests.production import check_ids, mail_url, production_configure

DEV = Path("/srv/parcauto/var/mail")


@pytest.fixture
def production(settings, tmp_path, monkeypatch):
    production_configure(settings, tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert check_ids() == []
    return settings


def test_without_a_relay_production_stops(production, tmp_path):
    mail_url("", production, tmp_path)
    assert check_ids() == ["parcauto.E020"]


def test_a_relay_without_a_host_is_refused(production, tmp_path):
    mail_url("smtp://user:secret@:587", production, tmp_path)
    assert check_ids() == ["parcauto.E021"]


def test_mail_kept_in_files_is_a_staging_choice_and_a_deploy_warning(production, tmp_path):
    mail_url(f"file://{tmp_path}/outbox", production, tmp_path)
    assert check_ids(deploy=False) == []
    assert check_ids() == ["parcauto.W020"]


@pytest.mark.parametrize(
    "sender", ["Parcauto <no-reply@parcauto.localhost>", "root@localhost", "x@LOCALHOST"]
)
def test_the_development_sender_is_a_deploy_warning(production, sender):
    production.DEFAULT_FROM_EMAIL = sender
    assert check_ids() == ["parcauto.W021"]


def test_development_writes_files_without_a_word(settings, tmp_path):
    settings.DEBUG = True
    mail_url("", settings, tmp_path)
    assert check_ids() == []


def test_an_smtp_url_gives_the_relay_with_starttls():
    directory, mailers = mailers_from_url(
        "smtp://parc%40auto:p%2Fss@Relay.example", development_dir=DEV
    )
    assert directory == DEV
    assert mailers["default"] == {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {
            "host": "relay.example",
            "port": 587,
            "username": "parc@auto",
            "password": "p/ss",
            "use_tls": True,
            "timeout": 30,
        },
    }


def test_a_file_url_writes_to_its_directory():
    directory, mailers = mailers_from_url("file:///srv/mail%20box", development_dir=DEV)
    assert directory == Path("/srv/mail box")
    assert mailers["default"] == {
        "BACKEND": FILES_BACKEND,
        "OPTIONS": {"directory": "/srv/mail box"},
    }


def test_no_url_writes_to_the_development_directory():
    assert mailers_from_url("", development_dir=DEV) == (
        DEV,
        {"default": {"BACKEND": FILES_BACKEND, "OPTIONS": {"directory": str(DEV)}}},
    )


@pytest.mark.parametrize(
    "url",
    [
        "relay.example",
        "smtps://user:hunter2@relay.example",
        "file://relative/dir",
        "smtp://user:hunter2@relay.example:99999",
        "smtp://user:hunter2@relay.example:port",
    ],
)
def test_any_other_url_stops_the_settings_without_echoing_it(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL") as stopped:
        mailers_from_url(url, development_dir=DEV)
    assert "hunter2" not in str(stopped.value)
