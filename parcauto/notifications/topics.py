"""Which e-mails a person may turn off, and the list of those they did.

Mandatory messages (receipts, pre-authorized debit notices, contract changes, account
security) carry no topic and are always sent. A message queued with a topic is one the
person may refuse: `services.email_send_template` drops it when they opted out.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailTopic(models.TextChoices):
    REMINDERS = "reminders", _("Reminders (an unfinished request, a request about to be deleted)")
    NEWS = "news", _("News from the institution (new permits, sales opening)")
