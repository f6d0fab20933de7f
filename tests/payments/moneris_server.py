"""A local stand-in for Moneris' test host (esqa.moneris.com), for the MonerisGateway tests.

It speaks the same XML over HTTP POST to /gateway2/servlet/MpgRequest and answers as
Moneris' test environment does: the penny-value simulator decides charges (shared rules
in `parcauto.payments.gateways.simulator`), an order id is processed once ("duplicate
order id" afterwards), `status_check` reports what an order id became, and the
"timeout" test card is charged but answered after the client has given up.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from parcauto.payments.gateways import simulator

PATH = "/gateway2/servlet/MpgRequest"
DUPLICATE = "The transaction was not sent to the host because of a duplicate order id"
FOUND, NOT_FOUND = "010", "086"  # status_check: under 50 means the order id is known


@dataclass
class Card:
    pan: str
    expdate: str
    cust_id: str = ""
    issuer_id: str = ""


@dataclass
class MonerisTestHost:
    store_id: str = "store5"
    api_token: str = "yesguy"
    # Seconds the "timeout" card's answers take: longer than the client waits.
    slow_seconds: float = 1.0
    # "ok", "http500" or "garbage": how the next answers are spoiled.
    mode: str = "ok"
    temporary: dict[str, Card] = field(default_factory=dict)
    vault: dict[str, Card] = field(default_factory=dict)
    orders: dict[str, dict[str, str]] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    charges_made: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def temporary_token(self, pan: str, expdate: str = "3012") -> str:
        """What the HT iframe hands the page for a typed card."""
        token = f"ot-test{next(self._numbers):020d}"
        self.temporary[token] = Card(pan=pan, expdate=expdate)
        return token

    # --- transactions ---------------------------------------------------------------------

    def answer(self, body: bytes) -> tuple[dict[str, Any], float]:
        """The receipt for one request, and how long to wait before sending it."""
        root = ET.fromstring(body)  # noqa: S314 - our own client's requests
        if root.findtext("store_id") != self.store_id or root.findtext("api_token") != (
            self.api_token
        ):
            return {"ResponseCode": "null", "Message": "API token mismatch"}, 0
        status_check = root.findtext("status_check") == "true"
        transaction = next(child for child in root if child.tag not in _ENVELOPE)
        fields = _as_dict(transaction)
        with self._lock:
            self.requests.append((transaction.tag, fields))
            handler = getattr(self, f"_{transaction.tag}")
            return handler(fields, status_check) if status_check else handler(fields)

    def _res_card_verification_cc(self, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        card = self.temporary.get(fields["data_key"]) or self.vault.get(fields["data_key"])
        if card is None:
            return {"ResponseCode": "null", "Message": "Invalid data key"}, 0
        behaviour = simulator.card_behaviour(card.pan)
        answer = simulator.verification_answer(behaviour=behaviour)
        receipt = self._receipt(fields["order_id"], answer, "0.00", "card_verification")
        if answer.approved:
            card.issuer_id = f"{next(self._numbers):015d}"
            receipt["IssuerId"] = card.issuer_id
        return receipt, 0

    def _res_add_token(self, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        card = self.temporary.pop(fields["data_key"], None)
        if card is None:
            return {"ResponseCode": "null", "ResSuccess": "false", "Message": "Invalid"}, 0
        card.cust_id = fields.get("cust_id", "")
        data_key = f"dk{next(self._numbers):023d}"
        self.vault[data_key] = card
        return {
            "DataKey": data_key,
            "ResponseCode": "001",
            "Message": "Successfully registered CC details.",
            "ResSuccess": "true",
            "Complete": "true",
            "TimedOut": "false",
            "ResolveData": {
                "cust_id": card.cust_id,
                "masked_pan": f"{card.pan[:4]}***{card.pan[-4:]}",
                "expdate": card.expdate,
                "crypt_type": fields.get("crypt_type", ""),
            },
        }, 0

    def _res_delete(self, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        card = self.vault.pop(fields["data_key"], None)
        if card is None:
            return {"DataKey": "null", "ResSuccess": "false", "ResponseCode": "null"}, 0
        return {"DataKey": fields["data_key"], "ResSuccess": "true", "ResponseCode": "001"}, 0

    def _res_purchase_cc(
        self, fields: dict[str, Any], status_check: bool = False
    ) -> tuple[dict[str, Any], float]:
        order_id = fields["order_id"]
        stored = self.orders.get(order_id)
        if status_check:
            if stored is None:
                return {"ResponseCode": "null", "status_code": NOT_FOUND}, 0
            return {**stored, "status_code": FOUND, "status_message": "Found"}, 0
        if stored is not None:
            return {"ReceiptId": order_id, "ResponseCode": "null", "Message": DUPLICATE}, 0
        card = self.vault.get(fields["data_key"])
        if card is None:
            return {"ResponseCode": "null", "Message": "Invalid data key"}, 0
        behaviour = simulator.card_behaviour(card.pan)
        answer = simulator.charge_answer(
            amount=Decimal(fields["amount"]),
            brand=simulator.card_brand(card.pan),
            behaviour=behaviour,
        )
        receipt = self._receipt(order_id, answer, fields["amount"], "00")
        self.orders[order_id] = receipt
        self.charges_made += 1
        delay = self.slow_seconds if behaviour == simulator.Behaviour.TIMEOUT else 0
        return receipt, delay

    def _refund(self, fields: dict[str, Any]) -> tuple[dict[str, Any], float]:
        charge = self.orders.get(fields["order_id"])
        if charge is None or charge["TransID"] != fields.get("txn_number"):
            return {"ResponseCode": "null", "Message": "Could not find the transaction"}, 0
        amount = Decimal(fields["amount"])
        done = self.refunded.get(fields["order_id"], Decimal(0))
        fits = done + amount <= Decimal(charge["TransAmount"])
        answer = simulator.APPROVED if fits else simulator.DECLINED
        if fits:
            self.refunded[fields["order_id"]] = done + amount
        return self._receipt(fields["order_id"], answer, fields["amount"], "04"), 0

    def _receipt(
        self, order_id: str, answer: simulator.Answer, amount: str, trans_type: str
    ) -> dict[str, Any]:
        number = next(self._numbers)
        return {
            "ReceiptId": order_id,
            "ReferenceNum": f"6601234500{number:08d}",
            "ResponseCode": answer.response_code,
            "ISO": answer.iso,
            "AuthCode": f"{number:06d}" if answer.approved else "000000",
            "TransTime": "10:00:00",
            "TransDate": "2026-06-01",
            "TransType": trans_type,
            "Complete": "true",
            "Message": answer.message,
            "TransAmount": amount,
            "CardType": "V",
            "TransID": f"{number}-0_11",
            "TimedOut": "false",
        }


_ENVELOPE = {"store_id", "api_token", "status_check", "app_version"}


def _as_dict(element: ET.Element) -> dict[str, Any]:
    return {child.tag: _as_dict(child) if len(child) else (child.text or "") for child in element}


def _receipt_xml(receipt: dict[str, Any]) -> bytes:
    root = ET.Element("response")
    element = ET.SubElement(root, "receipt")
    for name, value in receipt.items():
        child = ET.SubElement(element, name)
        if isinstance(value, dict):
            for inner, text in value.items():
                ET.SubElement(child, inner).text = text
        else:
            child.text = value
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        host = self.server.host
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path != PATH:
            self.send_error(404)
            return
        if host.mode == "http500":
            self.send_error(500)
            return
        if host.mode == "garbage":
            payload = b"<html>Service unavailable</html"
        else:
            receipt, delay = host.answer(body)
            time.sleep(delay)
            payload = _receipt_xml(receipt)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        # The client may have given up waiting: the answer is lost, as on a real timeout.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: MonerisTestHost) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.host = host


class MonerisTestServer:
    """Runs a MonerisTestHost on a free local port in a background thread."""

    def __init__(self, host: MonerisTestHost | None = None) -> None:
        self.host = host or MonerisTestHost()
        self._server = _Server(self.host)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> MonerisTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
