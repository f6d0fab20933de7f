from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from parcauto.audit.services import audit_log
from parcauto.notifications.services import email_queue

from .errors import EmailOwned
from .models import User
from .roles import staff_access
from .selectors import email_address_is_change
from .services import email_claims_drop
from .verification import account_proven

PENDING_EMAIL_SESSION_KEY = "parcauto_pending_email"

# allauth's notices sent (ACCOUNT_EMAIL_NOTIFICATIONS): the old address is told of a
# change, and the person of a new password, each with a template of our own.
NOTIFICATIONS = frozenset(
    {
        "account/email/email_changed",
        "account/email/password_changed",
        "account/email/password_reset",
    }
)

# What allauth puts in a mail's context that opens an account: the key or code, and any
# link (`activate_url`, `password_reset_url`, ... ). Every `*_url` counts, so a link
# allauth adds one day is redacted without anyone remembering to list it.
_SECRET_NAMES = frozenset({"key", "code", "token"})


def _link_secrets(context: dict[str, Any]) -> list[str]:
    return [
        value
        for name, value in context.items()
        if isinstance(value, str) and value and (name in _SECRET_NAMES or name.endswith("_url"))
    ]


class AccountAdapter(DefaultAccountAdapter):
    """allauth, bent to the portals: sign-up happens on an institution's host, e-mails go
    through the outbox, and every account event is audited."""

    # The guides' wording ("adresse courriel"), not allauth's ("adresse e-mail").
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is inactive. Contact the service centre."),
        "email_password_mismatch": _("The e-mail address or the password is not correct."),
        "email_taken": _("An account already uses this e-mail address."),
        "duplicate_email": _("This is already the e-mail address of your account."),
        "invalid_or_expired_key": _("This link has expired or is not valid."),
        "invalid_password_reset": _("This link has expired or is not valid."),
        "too_many_login_attempts": _("Too many failed login attempts. Try again later."),
        "unknown_email": _("No account uses this e-mail address."),
        "rate_limited": _("Too many requests in a short time. Wait a moment and try again."),
    }

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        address: EmailAddress = emailconfirmation.email_address
        if email_address_is_change(address):
            # Not "finish opening your account": an account asks for a new address.
            self.send_mail(
                "account/email/email_change_confirmation",
                address.email,
                {
                    "user": address.user,
                    "activate_url": self.get_email_confirmation_url(request, emailconfirmation),
                },
            )
            return
        # The "Confirmation du compte" page offers to resend to this address.
        request.session[PENDING_EMAIL_SESSION_KEY] = address.email
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_notification_mail(
        self,
        template_prefix: str,
        user: Any,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # Only the notices written in the guides' wording; not allauth's others (e-mail
        # removed, MFA changes...), nor the IP address and browser it puts in them.
        if template_prefix in NOTIFICATIONS:
            super().send_notification_mail(template_prefix, user, context, email)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(request, "organization", None) is not None

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account e-mails go through the outbox, filed under no institution.

        An account is one identity across every portal: the portal that asked only
        brands the message (its name, and its host in the links). Filed under it, a
        reset asked on B's portal for A's customer would be B's staff's to read. The
        keys of a personal link are stored redacted (`email_queue`'s `secrets`).
        """
        context = {
            **context,
            "organization": getattr(self.request, "organization", None),
            "operator_name": settings.PARCAUTO_OPERATOR_NAME,
        }
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"),
            "",
        )
        email_queue(
            to=email,
            subject=str(message.subject),
            body_text=str(message.body),
            body_html=str(html),
            organization=None,
            template=template_prefix,
            language=translation.get_language() or "fr",
            secrets=_link_secrets(context),
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.signup_organization = getattr(request, "organization", None)
        user.language = translation.get_language() or "fr"
        with transaction.atomic():
            if commit:
                self._clear_the_way(request, form.cleaned_data["email"])
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                audit_log(
                    action="account.signed_up",
                    actor=user,
                    organization=user.signup_organization,
                    target=user,
                )
        return user

    def _clear_the_way(self, request: HttpRequest, email: str) -> None:
        """The form let the address through because nobody proved it: the unverified
        claims on it give way to this sign-up (only a race makes this refuse)."""
        try:
            dropped = email_claims_drop(email=email, claimant=None)
        except EmailOwned:
            raise self.validation_error("email_taken") from None
        if dropped:
            # The squatter's validation e-mail went to this very address moments ago:
            # its rate limit must not hold back the owner's own.
            ratelimit.clear(request, action="confirm_email", key=email.lower())

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """A link proves its address only for the account that asked for it, and the
        proven owner wins over every unverified claim on the address (`verification`)."""
        user = email_address.user
        if not account_proven(request, user.pk):
            return False
        previous = user.email
        with transaction.atomic():
            try:
                email_claims_drop(email=email_address.email, claimant=user)
            except EmailOwned:
                return False
            confirmed = super().confirm_email(request, email_address)
            if confirmed:
                changed = previous.lower() != email_address.email.lower()
                audit_log(
                    action="account.email_changed" if changed else "account.email_verified",
                    actor=user,
                    target=user,
                    data={"email": email_address.email},
                )
        return confirmed

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # One account is one identity on every portal: failed logins count across them all
        # (allauth keys them by host name, which would give 5 tries per portal).
        return str(credentials.get("email", "")).lower()

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth asks for the password again before MFA changes even seconds after a
        # password login; a login that recent is proof enough (same window as allauth's).
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if any(
                record.get("method") == "password"
                and time.time() - record.get("at", 0) < allauth_settings.REAUTHENTICATION_TIMEOUT
                for record in records
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_email_verification_redirect_url(self, email_address: EmailAddress) -> str:
        if self.request is not None and self.request.user.is_authenticated:
            return reverse("account_email")  # a change: the page shows the new address
        return reverse("portal:email_verified")

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: User = request.user  # type: ignore[assignment]
        if getattr(request, "organization", None) is None:
            access = staff_access(user)
            if access.may_patrol_somewhere and not access.works_in_office:
                return reverse("backoffice:patrol")  # a patrol agent has nothing else
            return reverse("admin:index")
        if not hasattr(user, "profile"):
            return reverse("portal:profile")
        return super().get_login_redirect_url(request)
