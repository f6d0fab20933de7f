from __future__ import annotations

from django.tasks import task

from parcauto.core.clock import now

from .delivery import email_deliver
from .retry import emails_retry


@task()
def deliver_email(*, email_id: int) -> str:
    return email_deliver(email_id=email_id)


@task()
def retry_emails() -> int:
    """The periodic job (every minute): refused and stuck messages, see `retry`."""
    return emails_retry(now=now())
