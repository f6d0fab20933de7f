"""What a visitor does with a claim notice once opened (`notice_views`): pay it by card
through the gateway's iframe, as permits are paid, or contest it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcauto.core.clock import now as clock_now
from parcauto.core.i18n import active_language
from parcauto.core.ratelimit import rate_limited
from parcauto.core.uploads import UploadRefused
from parcauto.enforcement.errors import EnforcementError
from parcauto.enforcement.models import ClaimNotice, NoticePayment
from parcauto.enforcement.services.payments import notice_pay as notice_pay_service
from parcauto.payments.gateways.base import CardRejected, GatewayError
from parcauto.servicedesk.errors import ServiceDeskError
from parcauto.servicedesk.services.contests import contest_send
from parcauto.servicedesk.services.requests import person_full_name

from .notice_forms import NoticeContestForm, NoticePayForm
from .notice_views import PublicRequest, notice_for, public_portal_view, render_notice, to_lookup
from .payment_views import CARD_UNREAD, GATEWAY_DOWN


@require_POST
@public_portal_view
@rate_limited("notice_pay")
def notice_pay(request: PublicRequest, number: str) -> HttpResponse:
    """Charge the amount due today; the page again with the receipt, or with the refusal."""
    notice = notice_for(request, number)
    if notice is None:
        return to_lookup(number)
    form = NoticePayForm(request.POST)
    if not form.is_valid():
        return render_notice(request, notice, form=form)
    token = form.cleaned_data["card_token"]
    if not token:  # no script, or the card was never typed in
        form.add_error(None, str(CARD_UNREAD))
        return render_notice(request, notice, form=form)
    try:
        payment = notice_pay_service(
            notice=notice,
            temporary_token=token,
            email=form.cleaned_data["email"],
            language=active_language(),
            actor=request.user if request.user.is_authenticated else None,
            now=clock_now(),
        )
    except CardRejected:
        form.add_error(None, _("Your card was refused: nothing was charged. Use another card."))
    except GatewayError:
        form.add_error(None, str(GATEWAY_DOWN))
    except EnforcementError as error:
        messages.error(request, str(error.message))
        return redirect("portal:notice_detail", number=notice.number)
    else:
        if payment.status == NoticePayment.Status.APPROVED:
            messages.success(request, _("Thank you: your payment is approved. The notice is paid."))
            return redirect("portal:notice_detail", number=notice.number)
        form.add_error(
            None, _("Your card issuer declined the payment: nothing was charged. Use another card.")
        )
    notice.refresh_from_db()
    return render_notice(request, notice, form=form)


@public_portal_view
@rate_limited("notice_contest")
def notice_contest(request: PublicRequest, number: str) -> HttpResponse:
    """ "Contester": a message and up to 3 files to the service centre; payment is held."""
    notice = notice_for(request, number)
    if notice is None:
        return to_lookup(number)
    if notice.state != ClaimNotice.State.ISSUED:
        messages.info(request, _("This notice can no longer be contested."))
        return redirect("portal:notice_detail", number=notice.number)
    user = request.user if request.user.is_authenticated else None
    initial = {"contact_email": user.email, "full_name": person_full_name(user)} if user else {}
    form = NoticeContestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sent = contest_send(
                notice=notice,
                person=user,
                contact_email=form.cleaned_data["contact_email"],
                full_name=form.cleaned_data["full_name"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
                language=active_language(),
                now=clock_now(),
            )
        except (ServiceDeskError, UploadRefused) as refused:
            form.add_domain_error(refused)
        else:
            messages.success(
                request,
                _(
                    "Your contest no. %(number)s has been sent to the service centre. Payment "
                    "is held until its decision, which you will receive by e-mail."
                )
                % {"number": sent.number},
            )
            return redirect("portal:notice_detail", number=notice.number)
    return render(request, "portal/notices/contest.html", {"notice": notice, "form": form})
