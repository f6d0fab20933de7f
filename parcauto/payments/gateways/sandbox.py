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
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.urls import reverse

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
    card_refusal_message,
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
    # Moneris forgets an unused temporary token when it expires: so does the sandbox.
    SandboxCard.objects.filter(permanent=False, expires_at__lte=moment).delete()
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
        # Never a fake gateway on a production site by mistake (check parcauto.E011).
        if not settings.PARCAUTO_ALLOW_SANDBOX_GATEWAY:
            raise ImproperlyConfigured(
                "The sandbox card gateway is off outside DEBUG: set PAYMENTS_GATEWAY to "
                "Moneris, or PARCAUTO_ALLOW_SANDBOX_GATEWAY=true on a staging site"
            )
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
                answer = None
            else:
                answer = simulator.verification_answer(behaviour=card.behaviour)
                if answer.approved:
                    card.token = secrets.token_urlsafe(19)[:25]
                    card.permanent = True
                    card.expires_at = None
                    card.save(update_fields=["token", "permanent", "expires_at", "updated_at"])
                else:
                    card.delete()
        if card is None or answer is None:
            raise CardRejected(card_refusal_message(NOT_FOUND_CODE), response_code=NOT_FOUND_CODE)
        if not answer.approved:
            raise CardRejected(
                card_refusal_message(answer.response_code), response_code=answer.response_code
            )
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
        # A few queries per chunk whatever its size: the cards, one INSERT that skips the
        # order ids already there and returns the ones it added, and a read of the others.
        cards = _cards_by_key(charge.data_key for charge in charges)
        moment = clock_now()
        mine: dict[str, _Stored] = {}
        amounts: dict[str, Decimal] = {}
        data_keys: dict[str, str] = {}
        for charge in charges:
            card = cards.get(charge.data_key)
            if card is None or charge.order_id in mine:
                continue
            answer = simulator.charge_answer(
                amount=charge.amount, brand=card.brand, behaviour=card.behaviour
            )
            mine[charge.order_id] = _Stored(
                charge.order_id, answer.response_code, _reference_new(), moment
            )
            amounts[charge.order_id] = charge.amount
            data_keys[charge.order_id] = charge.data_key
        added = _purchases_insert(list(mine.values()), amounts=amounts, data_keys=data_keys)
        earlier = _stored_many({charge.order_id for charge in charges} - added)
        outcomes: list[ChargeResult | GatewayError] = []
        for charge in charges:
            if charge.order_id in added:
                added.discard(charge.order_id)  # a repeat within the chunk is a duplicate
                card = cards[charge.data_key]
                if card.behaviour == simulator.Behaviour.TIMEOUT:
                    outcomes.append(GatewayTimeout(f"sandbox: no answer for {charge.order_id}"))
                else:
                    outcomes.append(_result(mine[charge.order_id], duplicate=False))
                earlier[charge.order_id] = mine[charge.order_id]
            elif charge.order_id in earlier:
                outcomes.append(_result(earlier[charge.order_id], duplicate=True))
            else:
                outcomes.append(_unknown_card(charge.order_id, moment))
        return outcomes

    def status(self, *, order_id: str) -> ChargeResult | None:
        row = _stored(order_id)
        return _result(row, duplicate=True) if row is not None else None

    def refund(self, *, order_id: str, original: ChargeResult, amount: Decimal) -> ChargeResult:
        with transaction.atomic():
            # The charge's row lock makes refunds of one charge take turns: their sum is
            # read after the previous one committed.
            charge = (
                SandboxTransaction.objects.select_for_update()
                .filter(order_id=original.order_id, kind=PURCHASE)
                .first()
            )
            stored = _stored(order_id)
            if stored is not None:
                return _result(stored, duplicate=True)
            if charge is None or not simulator.response_approved(charge.response_code):
                raise GatewayError(f"sandbox: no approved charge {original.order_id} to refund")
            # A refund row keeps the charge's order id in `data_key`: what it gives back.
            refunds = SandboxTransaction.objects.filter(kind=REFUND, data_key=charge.order_id)
            refunded = sum(
                (row.amount for row in refunds if simulator.response_approved(row.response_code)),
                Decimal(0),
            )
            fits = refunded + amount <= charge.amount
            row = SandboxTransaction.objects.create(
                order_id=order_id,
                data_key=charge.order_id,
                kind=REFUND,
                amount=amount,
                response_code=(simulator.APPROVED if fits else simulator.DECLINED).response_code,
                reference=_reference_new(),
            )
        return _result(
            _Stored(order_id, row.response_code, row.reference, row.created_at), duplicate=False
        )


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


class _Stored(NamedTuple):
    order_id: str
    response_code: str
    reference: str
    created_at: dt.datetime


def _purchases_insert(
    rows: list[_Stored], *, amounts: dict[str, Decimal], data_keys: dict[str, str]
) -> set[str]:
    """INSERT the new charges, skipping order ids already stored; the ids it added.

    Plain SQL because this is a billing run's hot path: Django's bulk_create spends more
    time preparing 100,000 rows than the database takes to store them, and cannot say
    which rows a conflict skipped (ON CONFLICT ... RETURNING can, on both databases).
    """
    if not rows:
        return set()
    moment = connection.ops.adapt_datetimefield_value(rows[0].created_at)
    values = [
        [row.order_id for row in rows],
        [data_keys[row.order_id] for row in rows],
        [PURCHASE] * len(rows),
        [amounts[row.order_id] for row in rows],
        [row.response_code for row in rows],
        [row.reference for row in rows],
    ]
    quote = connection.ops.quote_name
    names = ["order_id", "data_key", "kind", "amount", "response_code", "reference"]
    into = (
        f"INSERT INTO {quote(SandboxTransaction._meta.db_table)} "
        f"({', '.join(map(quote, [*names, 'created_at', 'updated_at']))}) "
    )
    conflict = f" ON CONFLICT ({quote('order_id')}) DO NOTHING RETURNING {quote('order_id')}"
    params: list[Any]
    if connection.vendor == "postgresql":
        # One array per column: the statement stays the same size whatever the chunk.
        types = ["varchar[]", "varchar[]", "varchar[]", "numeric[]", "varchar[]", "varchar[]"]
        arrays = ", ".join(f"%s::{kind}" for kind in types)
        sql = f"{into}SELECT *, %s, %s FROM unnest({arrays}){conflict}"  # noqa: S608 - names
        params = [moment, moment, *values]
    else:
        row_sql = "(" + ", ".join(["%s"] * (len(names) + 2)) + ")"
        sql = f"{into}VALUES {', '.join([row_sql] * len(rows))}{conflict}"
        params = []
        for row in zip(*values, strict=True):
            params += [*row[:3], str(row[3]), *row[4:], moment, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {order_id for (order_id,) in cursor.fetchall()}


def _stored_many(order_ids: set[str]) -> dict[str, _Stored]:
    if not order_ids:
        return {}
    rows = SandboxTransaction.objects.filter(order_id__in=order_ids).values_list(*_Stored._fields)
    return {row[0]: _Stored._make(row) for row in rows}


def _stored(order_id: str) -> _Stored | None:
    row = SandboxTransaction.objects.filter(order_id=order_id).values_list(*_Stored._fields).first()
    return _Stored._make(row) if row is not None else None


def _result(row: _Stored, *, duplicate: bool) -> ChargeResult:
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
