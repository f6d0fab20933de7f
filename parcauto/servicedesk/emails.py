"""E-mails of the service desk, rendered and queued by tasks after commit.

Every message about a request carries its number in the subject ("[Demande 300001]"): a
stable reference that threads the exchange in the person's mailbox, and that the
service centre finds the request by. People answer from the portal (the link in each
message), not by e-mail: the sender address takes no replies.
"""

from __future__ import annotations

from django.tasks import task
from django_scopes import scope

from parcauto.notifications.services import email_send_template

from .models import ServiceMessage, ServiceRequest

UPDATE = "servicedesk_update"
CONTRACT_ENDED = "contract_ended"

# The events of a request the person hears of (the template says each in its words).
RECEIVED = "received"
REPLY = "reply"
STATE = "state"
CANCELLATION_CONFIRMED = "cancellation_confirmed"
CANCELLATION_REFUSED = "cancellation_refused"
CANCELLATION_WITHDRAWN = "cancellation_withdrawn"
CONTEST_CANCELLED = "contest_cancelled"
CONTEST_KEPT = "contest_kept"


@task()
def send_request_email(*, organization_id: int, request_id: int, event: str, key: str) -> None:
    """One e-mail per (request, event, key), however often the task runs.

    `key` tells two events of one kind apart: the id of the reply, the new state.
    """
    with scope(organization=organization_id):
        request = ServiceRequest.objects.select_related(
            "organization", "person", "subscription", "subscription__product", "lot", "notice"
        ).get(pk=request_id)
        reply = None
        if event in (REPLY, CONTEST_CANCELLED, CONTEST_KEPT):  # the message is the reason
            reply = ServiceMessage.objects.filter(request=request, pk=key).first()
        person = request.person
        email_send_template(
            template=UPDATE,
            # The account's verified address, not one typed; without an account (a public
            # contest), the address typed, in the language of the page it was sent from.
            to=person.email if person else request.contact_email,
            context={"request": request, "event": event, "reply": reply},
            language=person.language if person else (request.language or "fr"),
            organization=request.organization,
            dedupe_key=f"{UPDATE}:{request.pk}:{event}:{key}"[:150],
        )
