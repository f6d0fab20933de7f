from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from parcauto.core.errors import DomainError


class WalletUnavailable(DomainError):
    """This wallet is not configured (no certificate or service account), or the pass
    cannot be added (voided)."""

    def __init__(self) -> None:
        super().__init__(_("This wallet is not available."), code="wallet_unavailable")
