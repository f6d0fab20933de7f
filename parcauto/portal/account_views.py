"""Account steps the guides show that allauth does not: resend instructions, "validated"."""

from __future__ import annotations

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcauto.accounts.adapter import PENDING_EMAIL_SESSION_KEY


@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("account_email_verification_sent")
    address = EmailAddress.objects.filter(email__iexact=email).first()
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
