"""The sandbox card gateway: Moneris' behaviour without Moneris, for `make run` and tests.

Its card iframe is served by our own app (`payments.sandbox_views`) and, like Moneris'
Hosted Tokenization page, hands the page a temporary token "ot-..." valid 15 minutes.
Its vault (`SandboxCard`) keeps what a real vault shows us, never the card number: the
brand, the last digits, the expiry and the test behaviour the number stands for.
Charges follow Moneris' penny-value simulator (`simulator`), whose module docstring lists
the amounts and the test cards.

As at Moneris, an order id is charged at most once: a repeated id returns the stored
answer marked `duplicate`, and a "timeout" card records its charge *before* raising
`GatewayTimeout`, the way a real gateway that processed the charge but whose answer was
lost would, so that `status(order_id)` reveals it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import batched

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from parcauto.core.clock import now as clock_now
from parcauto.payments.models import SandboxCard, SandboxTransaction

from . import simulator
from .base import (
    CardProfile,
    CardRejected,
    Charge,
    ChargeResult,
    GatewayError,
    GatewayTimeout,
    HostedTokenization,
)

TEMPORARY_TOKEN_LIFETIME = dt.timedelta(minutes=15)
# Rows per query in purchase_many: big enough that 100,000 charges take ~100 round trips,
# small enough to stay under SQLite's bound-parameter limit.
CHUNK = 1000
PURCHASE = "purchase"
REFUND = "refund"
NOT_FOUND_CODE = ""


def temporary_token_new() -> str:
    return f"ot-{secrets.token_urlsafe(18)}"


def sandbox_card_tokenize(
    *, number: str, expiry: str, now: dt.datetime | None = None
) -> SandboxCard:
    """What the sandbox iframe does with a valid card: a temporary token, no number kept.

    `expiry` is YYMM. The caller has checked the number (Luhn), expiry and CVD.
    """
    moment = now or clock_now()
    return SandboxCard.objects.create(
        token=temporary_token_new(),
        permanent=False,
        behaviour=simulator.card_behaviour(number),
        brand=simulator.card_brand(number),
        last4=number[-4:],
        expiry=expiry,
        expires_at=moment + TEMPORARY_TOKEN_LIFETIME,
    )


class SandboxGateway:
    name = "sandbox"

    @classmethod
    def from_settings(cls) -> SandboxGateway:
        return cls()

    def hosted_tokenization(self, *, page_origin: str, language: str) -> HostedTokenization:
        # Served by our app on the page's own host: the iframe is same-origin, which is
        # the only framing its response headers allow.
        path = reverse("payments:sandbox-frame")
        return HostedTokenization(
            iframe_url=f"{page_origin}{path}?lang={language}", origin=page_origin
        )

    def vault_add(self, *, temporary_token: str, customer_id: str) -> CardProfile:
        moment = clock_now()
        with transaction.atomic():
            # A temporary token is good for one use, as Moneris': lock it and consume it.
            card = (
                SandboxCard.objects.select_for_update()
                .filter(token=temporary_token, permanent=False)
                .first()
            )
            if card is None or card.expires_at is None or card.expires_at <= moment:
                raise CardRejected(
                    _("The card entry has expired. Please enter the card again."),
                    response_code=NOT_FOUND_CODE,
                )
            answer = simulator.verification_answer(behaviour=card.behaviour)
            if not answer.approved:
                card.delete()
                raise CardRejected(_card_refusal(answer), response_code=answer.response_code)
            card.token = secrets.token_urlsafe(19)[:25]
            card.permanent = True
            card.expires_at = None
            card.save(update_fields=["token", "permanent", "expires_at", "updated_at"])
        return CardProfile(
            data_key=card.token,
            brand=card.brand,
            last4=card.last4,
            expiry=card.expiry,
            issuer_id=f"{secrets.randbelow(10**15):015d}",
        )

    def vault_delete(self, *, data_key: str) -> None:
        SandboxCard.objects.filter(token=data_key, permanent=True).delete()

    def purchase(self, charge: Charge) -> ChargeResult:
        outcome = self.purchase_many([charge])[0]
        if isinstance(outcome, GatewayError):
            raise outcome
        return outcome

    def purchase_many(self, charges: Sequence[Charge]) -> list[ChargeResult | GatewayError]:
        outcomes: list[ChargeResult | GatewayError] = []
        for chunk in batched(charges, CHUNK):
            outcomes.extend(self._purchase_chunk(chunk))
        return outcomes

    def _purchase_chunk(self, charges: Sequence[Charge]) -> list[ChargeResult | GatewayError]:
        # Three queries per chunk whatever its size: the cards, one INSERT that skips the
        # order ids already there, and a read back of what is now stored for every id.
        cards = _cards_by_key(charge.data_key for charge in charges)
        moment = clock_now()
        rows: dict[str, SandboxTransaction] = {}
        for charge in charges:
            card = cards.get(charge.data_key)
            if card is None or charge.order_id in rows:
                continue
            answer = simulator.charge_answer(
                amount=charge.amount, brand=card.brand, behaviour=card.behaviour
            )
            rows[charge.order_id] = SandboxTransaction(
                order_id=charge.order_id,
                data_key=charge.data_key,
                kind=PURCHASE,
                amount=charge.amount,
                response_code=answer.response_code,
                reference=_reference_new(),
            )
        SandboxTransaction.objects.bulk_create(rows.values(), ignore_conflicts=True)
        stored = {
            row.order_id: row
            for row in SandboxTransaction.objects.filter(
                order_id__in=[charge.order_id for charge in charges]
            )
        }
        outcomes: list[ChargeResult | GatewayError] = []
        answered: set[str] = set()
        for charge in charges:
            row = stored.get(charge.order_id)
            if row is None:
                outcomes.append(_unknown_card(charge.order_id, moment))
                continue
            mine = rows.get(charge.order_id)
            fresh = (
                mine is not None
                and mine.reference == row.reference
                and charge.order_id not in answered
            )
            answered.add(charge.order_id)
            card = cards.get(charge.data_key)
            if fresh and card is not None and card.behaviour == simulator.Behaviour.TIMEOUT:
                outcomes.append(GatewayTimeout(f"sandbox: no answer for {charge.order_id}"))
                continue
            outcomes.append(_result(row, duplicate=not fresh))
        return outcomes

    def status(self, *, order_id: str) -> ChargeResult | None:
        row = SandboxTransaction.objects.filter(order_id=order_id).first()
        return _result(row, duplicate=True) if row is not None else None

    def refund(self, *, order_id: str, original: ChargeResult, amount: Decimal) -> ChargeResult:
        stored = SandboxTransaction.objects.filter(order_id=order_id).first()
        if stored is not None:
            return _result(stored, duplicate=True)
        charge = SandboxTransaction.objects.filter(
            order_id=original.order_id, kind=PURCHASE
        ).first()
        if charge is None or not simulator.response_approved(charge.response_code):
            raise GatewayError(f"sandbox: no approved charge {original.order_id} to refund")
        # A refund row keeps the charge's order id in `data_key`: what it gives back.
        refunded = sum(
            (
                row.amount
                for row in SandboxTransaction.objects.filter(
                    kind=REFUND, data_key=original.order_id
                )
                if simulator.response_approved(row.response_code)
            ),
            Decimal(0),
        )
        answer = simulator.APPROVED if refunded + amount <= charge.amount else simulator.DECLINED
        try:
            row = SandboxTransaction.objects.create(
                order_id=order_id,
                data_key=original.order_id,
                kind=REFUND,
                amount=amount,
                response_code=answer.response_code,
                reference=_reference_new(),
            )
        except IntegrityError:
            return _result(SandboxTransaction.objects.get(order_id=order_id), duplicate=True)
        return _result(row, duplicate=False)


def _cards_by_key(data_keys: Iterable[str]) -> dict[str, SandboxCard]:
    return {
        card.token: card
        for card in SandboxCard.objects.filter(token__in=set(data_keys), permanent=True).only(
            "token", "brand", "behaviour"
        )
    }


def _reference_new() -> str:
    # Moneris' ReferenceNum is 18 digits; unique enough to tell our insert from another's.
    return f"{secrets.randbelow(10**18):018d}"


def _result(row: SandboxTransaction, *, duplicate: bool) -> ChargeResult:
    answer = simulator.answer_for_code(row.response_code)
    approved = simulator.response_approved(row.response_code)
    return ChargeResult(
        order_id=row.order_id,
        approved=approved,
        response_code=row.response_code,
        message=answer.message,
        reference=row.reference,
        auth_code=row.reference[-6:] if approved else "",
        processed_at=row.created_at,
        duplicate=duplicate,
    )


def _unknown_card(order_id: str, moment: dt.datetime) -> ChargeResult:
    # Moneris answers a charge on a deleted or unknown data key with no response code.
    return ChargeResult(
        order_id=order_id,
        approved=False,
        response_code=NOT_FOUND_CODE,
        message="Could not find the data key",
        processed_at=moment,
    )


def _card_refusal(answer: simulator.Answer) -> str:
    if answer.response_code == simulator.EXPIRED_CARD.response_code:
        return _("This card has expired. Please use another card.")
    return _("This card was declined. Please use another card.")
