"""Access codes of hidden permits cannot be guessed: wrong ones are rate-limited.

Only a code that opens nothing is counted (`settings.PARCAUTO_RATE_LIMITS["access_code"]`,
per account and per IP), and once they are used up no code is tried at all, the right
one included, until the window ends: the answer would otherwise tell a guesser when
they found it.
"""

from __future__ import annotations

from django.http import HttpRequest

from parcauto.core.ratelimit import rate_limit_check, rate_limit_hit

ACTION = "access_code"


def access_code_check(request: HttpRequest, code: str) -> None:
    """Before a typed code is tried: RateLimited once the wrong ones are used up."""
    if code.strip():
        rate_limit_check(request, action=ACTION)


def access_code_missed(request: HttpRequest) -> None:
    """A typed code opened nothing: one wrong code more."""
    rate_limit_hit(request, action=ACTION)
