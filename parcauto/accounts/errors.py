from __future__ import annotations


class EmailOwned(Exception):
    """Another account holds this e-mail address verified, or on an account in use."""
