"""Reads about accounts."""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet

from .models import User


@dataclass(frozen=True)
class EmailClaims:
    """Who else holds an e-mail address, and whether a new claimant may take it.

    Only a verified address is owned. An unverified one is a claim: an account that
    signed up with it and never proved it (never logged in, no verified address, nothing
    on it: a squat), or an address another account asked to change to. A claim never
    stops the owner of the mailbox: it is dropped when the owner signs up with the
    address or proves it (see `accounts.services.email_claims_drop`).
    """

    owned: bool = False  # some other account holds it verified: taken
    blocking: list[User] = field(default_factory=list)  # unverified, but not droppable
    squats: list[User] = field(default_factory=list)  # accounts to delete
    pending: list[EmailAddress] = field(default_factory=list)  # change requests to drop

    @property
    def claimable(self) -> bool:
        return not self.owned and not self.blocking


def email_claims(*, email: str, claimant: User | None = None) -> EmailClaims:
    addresses = EmailAddress.objects.filter(email__iexact=email).select_related("user")
    holders = User.objects.filter(email__iexact=email)
    if claimant is not None:
        addresses = addresses.exclude(user=claimant)
        holders = holders.exclude(pk=claimant.pk)
    if any(address.verified for address in addresses):
        return EmailClaims(owned=True)
    unused = {holder: _never_used(holder) for holder in holders}
    return EmailClaims(
        blocking=[holder for holder, never_used in unused.items() if not never_used],
        squats=[holder for holder, never_used in unused.items() if never_used],
        # Rows on accounts whose own address is another one: changes they asked for.
        pending=[a for a in addresses if a.user.email.lower() != email.lower()],
    )


def users_never_used() -> QuerySet[User]:
    """Accounts nobody ever used: made by a sign-up whose address was never proved, never
    signed in, with no profile and no privilege (the retention job deletes them)."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return User.objects.filter(
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        staff_roles__isnull=True,
        profile__isnull=True,
    ).exclude(Exists(verified))


def _never_used(user: User) -> bool:
    return users_never_used().filter(pk=user.pk).exists()


def email_address_is_change(address: EmailAddress) -> bool:
    """An account that already proved an address asks for this one instead."""
    return (
        EmailAddress.objects.filter(user_id=address.user_id, verified=True)
        .exclude(pk=address.pk)
        .exists()
    )
