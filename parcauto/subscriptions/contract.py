"""The contract as a PDF (French first; an English copy when the person chose English)."""

from __future__ import annotations

from parcauto.notifications.services import Attachment

from .models import Subscription


def contract_attachments(subscription: Subscription) -> list[Attachment]:
    raise NotImplementedError("being written: WeasyPrint contract PDF")
