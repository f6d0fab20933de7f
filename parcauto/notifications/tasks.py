from __future__ import annotations

from django.tasks import task

from .delivery import email_deliver


@task()
def deliver_email(*, email_id: int) -> bool:
    return email_deliver(email_id=email_id)
