from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from .backends import HAS_STAFF_ROLE
from .models import User
from .roles import is_staff_member


def _allowed_languages(request: HttpRequest) -> list[str]:
    organization = getattr(request, "organization", None)
    return organization.languages if organization else ["fr", "en"]


class LanguageMiddleware:
    """French by default; English when the institution offers it and the person asks.

    Order of preference: the signed-in person's language, then the language cookie.
    The browser's Accept-Language is ignored on purpose: French is the default (Bill 96).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.user.is_authenticated:
            wanted = request.user.language
        language = wanted if wanted in _allowed_languages(request) else "fr"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class StaffMfaRequiredMiddleware:
    """Staff must set up an authenticator app before doing anything else.

    Once it exists, allauth asks for its code at every login (the back office has no
    other login: see ParcautoAdminSite.login). Exempt: the account pages (where the app
    is set up, and logout), static files, the language switch and the portal logo.
    """

    exempt_prefixes = ("/accounts/", "/static/", "/i18n/", "/dev/", "/langue/", "/logo/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and _is_staff_member(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.info(
                request,
                _("Staff accounts need an authenticator app: set one up to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _is_staff_member(user: User | AnonymousUser) -> bool:
    """`roles.is_staff_member`, without its query when the backend already answered it.

    Asked on every request of every signed-in person: the backends of
    parcauto/accounts/backends.py load the user with whether a staff role exists, in the
    same SELECT and afresh on each request, so the answer is never older than the request.
    Same rule as `is_staff_member` (tests/accounts/test_backends.py compares the two).
    """
    has_staff_role = getattr(user, HAS_STAFF_ROLE, None)
    if has_staff_role is None:  # loaded some other way (another backend, an async view)
        return is_staff_member(user)
    return user.is_staff or user.is_superuser or bool(has_staff_role)


class ForgetOnLogoutMiddleware:
    """A browser that signs out keeps nothing made for the person: the answer to a logout
    asks it to clear its caches and storage (`Clear-Site-Data`), the access card kept
    for offline use (`portal/subscriptions/pass-sw.js`) included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if request.method == "POST" and match is not None and match.url_name == "account_logout":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
