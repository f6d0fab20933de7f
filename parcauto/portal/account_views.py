"""Account steps the guides show that allauth does not: resend instructions, "validated",
and allauth's confirmation page narrowed to the account that asked for the link."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcauto.accounts.adapter import PENDING_EMAIL_SESSION_KEY
from parcauto.accounts.selectors import email_address_is_change
from parcauto.accounts.verification import account_prove_by_password, account_proven


@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("account_email_verification_sent")
    # The address an account signed up with; a change another account asked for is not
    # resent from here (its link is that account's, sent again from its e-mail page).
    address = next(
        (
            address
            for address in EmailAddress.objects.filter(email__iexact=email)
            if not email_address_is_change(address)
        ),
        None,
    )
    if address is None:
        messages.error(request, _("No account uses this e-mail address. Create an account."))
    elif address.verified:
        messages.info(request, _("This e-mail address is already validated: you can log in."))
        return redirect("account_login")
    elif send_verification_email_to_address(request, address):
        # allauth adds its own "sent" message.
        pass
    else:
        messages.warning(
            request,
            _("An e-mail was sent a moment ago. Wait a few minutes before asking again."),
        )
    return render(request, "account/verification_sent.html", {"email": email}, status=200)


def verification_sent(request: HttpRequest) -> HttpResponse:
    """ "Confirmation du compte": offers to resend to the address just signed up with."""
    email = request.session.get(PENDING_EMAIL_SESSION_KEY, "")
    return render(request, "account/verification_sent.html", {"email": email})


def email_verified(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/email_verified.html")


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's "confirm your address" page, for the account that asked only.

    Whoever is not that account already (signed in, or the browser that signed up: see
    `accounts.verification`) types its password here; the adapter's `confirm_email`
    refuses anyone else. A refusal shows this page again, never the "validated" page.
    """

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        confirmation = self.get_object()  # 404 for a link that is not valid, as allauth's
        user = confirmation.email_address.user
        if not account_proven(self.request, user.pk):
            if not user.check_password(self.request.POST.get("password", "")):
                limited = ratelimit.consume_or_429(
                    self.request, action="login_failed", key=user.email.lower()
                )
                if limited is not None:
                    return limited
                self.object = confirmation
                return self.render_to_response(self.get_context_data(wrong_password=True))
            account_prove_by_password(self.request, user.pk)
        return super().post(*args, **kwargs)

    def respond(self, success: bool) -> HttpResponse:
        if not success:
            return self.render_to_response(self.get_context_data(refused=True))
        return super().respond(success)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object:
            address = self.object.email_address
            context["proven"] = account_proven(self.request, address.user_id)
            context["is_change"] = email_address_is_change(address)
        return context


confirm_email = ConfirmEmailView.as_view()
