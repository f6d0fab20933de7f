"""What the person's documents (contract, receipts) share."""

from __future__ import annotations

from django.http import Http404

from parcauto.core.http import PortalRequest
from parcauto.subscriptions.models import Subscription


def document_language(request: PortalRequest, subscription: Subscription) -> str:
    """`?langue=`: French, or English only for a person who chose English (rule 42)."""
    language = request.GET.get("langue", "fr")
    if language not in ("fr", "en") or (language == "en" and subscription.language != "en"):
        raise Http404
    return language
