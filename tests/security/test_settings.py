"""Security settings: CSP with nonces, login rate limits, production-only cookie flags."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from parcauto.accounts.models import StaffRole
from tests.backoffice.staff import staff_member
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Stationnement-2026"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k8Vq3-test-only-0f9e8d7c6b5a4938271605f4e3d2c1b0a9z8y7x6w5v4u3t2s1",
    "DJANGO_ALLOWED_HOSTS": ".parcauto.ca",
}


def _nonce(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9+/=_-]+)'", policy)
    assert match, policy
    assert f"style-src 'self' 'nonce-{match.group(1)}'" in policy
    return match.group(1)


def _tags(page: str, name: str) -> list[str]:
    return re.findall(rf"<{name}\b[^>]*>", page)


def _assert_every_script_and_style_carries_the_nonce(response) -> None:
    nonce = _nonce(response)
    page = response.content.decode()
    scripts = _tags(page, "script")
    assert scripts, "the layout loads its scripts"
    for tag in scripts + _tags(page, "style"):
        assert f'nonce="{nonce}"' in tag, tag


# --- Content Security Policy -------------------------------------------------------------


def test_the_policy_allows_only_our_own_origin_and_the_nonce(portal_client):
    policy = portal_client.get("/accounts/login/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    nonce = _nonce(portal_client.get("/accounts/login/"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert directives["img-src"] == "'self' data:"  # data: for the authenticator QR code
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert nonce


def test_each_response_gets_a_fresh_nonce(portal_client):
    assert _nonce(portal_client.get("/accounts/login/")) != _nonce(
        portal_client.get("/accounts/login/")
    )


def test_every_script_on_the_entrance_layout_carries_the_nonce(portal_client):
    _assert_every_script_and_style_carries_the_nonce(portal_client.get("/accounts/login/"))


def test_every_script_on_the_portal_layout_carries_the_nonce(portal_client):
    portal_client.force_login(ProfileFactory().user)
    response = portal_client.get("/tableau-de-bord/")
    assert response.status_code == 200
    _assert_every_script_and_style_carries_the_nonce(response)


def test_every_script_on_the_list_of_portals_carries_the_nonce(client, organization):
    _assert_every_script_and_style_carries_the_nonce(client.get("/"))


def test_every_script_in_the_back_office_carries_the_nonce(client, organization):
    client.force_login(staff_member(StaffRole.Role.MANAGER, organization))
    for path in ("/admin/", "/admin/tenants/legaltext/", "/admin/tenants/legaltext/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_every_script_and_style_carries_the_nonce(response)


def test_pages_refuse_to_be_framed_or_sniffed(portal_client):
    response = portal_client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


# --- Login rate limit ---------------------------------------------------------------------


def _log_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_after_five_wrong_passwords_even_the_right_one_is_refused(portal_client):
    person = ProfileFactory(user=UserFactory(email="marie@example.com")).user
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(5):
            clock.move_to(start + dt.timedelta(minutes=minute * 0.9))
            wrong = _log_in(portal_client, person.email, "Mauvais-mot-de-passe")
            assert wrong.status_code == 200
            assert "Trop de tentatives" not in wrong.content.decode()

        clock.move_to(start + dt.timedelta(minutes=4, seconds=50))
        response = _log_in(portal_client, person.email, PASSWORD)

        assert response.status_code in (200, 429)
        assert "Trop de tentatives de connexion échouées" in response.content.decode()
        assert "_auth_user_id" not in portal_client.session

        # The lock is per account: someone else signs in from the same place.
        other = ProfileFactory(user=UserFactory(email="jean@example.com")).user
        assert _log_in(portal_client, other.email, PASSWORD).status_code == 302
        portal_client.logout()

        # Five minutes after the first failure, the right password works again.
        clock.move_to(start + dt.timedelta(minutes=5, seconds=1))
        assert _log_in(portal_client, person.email, PASSWORD).status_code == 302
        assert portal_client.session["_auth_user_id"] == str(person.pk)


def test_failed_logins_count_across_portals(portal_client, other_organization):
    person = ProfileFactory(user=UserFactory(email="marie@example.com")).user
    for _ in range(5):
        _log_in(portal_client, person.email, "Mauvais-mot-de-passe")
    other_portal = Client(HTTP_HOST="cisso.testserver")
    response = _log_in(other_portal, person.email, PASSWORD)
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in other_portal.session


# --- Production settings ------------------------------------------------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "parcauto.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_READ_SETTINGS = """
import json
from parcauto import settings as s
print(json.dumps({name: getattr(s, name, None) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
)}))
"""


def test_outside_debug_cookies_are_secure_and_https_is_enforced():
    result = _python(_READ_SETTINGS, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_outside_debug_a_secret_key_is_required():
    env = PRODUCTION_ENV | {"DJANGO_SECRET_KEY": ""}
    result = _python("import parcauto.settings", **env)
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_the_deployment_checklist_passes_without_a_single_warning():
    """`make check`'s own run: production's settings, every check, not one warning."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    result = subprocess.run(  # noqa: S603 - our own script, no arguments
        [str(ROOT / "scripts" / "check-deploy")],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "parcauto.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
