"""Moneris Gateway (Canada) over its XML API: Hosted Tokenization, Vault, credential on file.

Every call is an HTTPS POST of `<request><store_id/><api_token/><TRANSACTION>...`
to /gateway2/servlet/MpgRequest; the answer is `<response><receipt>...</receipt>`. A
response code below 50 is an approval; "null" means the transaction never reached the
card network (bad data key, duplicate order id...).

- `vault_add`: the iframe's temporary token is first verified with a card verification
  carrying the credential-on-file fields of a first use (payment indicator "C",
  information "0", DOMAIN_RULES 2.8: "send ... Card verification with Credential on File
  fields as the first transaction before you do Vault add"); its IssuerId is then stored
  with the profile (`res_add_token`).
- `purchase`: `res_purchase_cc` on the data key with the IssuerId and "subsequent"
  (information "2"): indicator "R" for the monthly merchant-initiated charges, "C" for
  a charge the cardholder starts.
- `status`: the same transaction again with `<status_check>true</status_check>`:
  Moneris answers what it did with that order id without doing it again.
- Moneris refuses an order id it has already seen ("duplicate order id"): `purchase`
  then asks `status` and returns that stored answer marked `duplicate`.
- A refund refers to the charge by its order id and TransID (`ChargeResult.reference`);
  Moneris gives refunds no order id of their own, so the caller's refund order id is
  only ours.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _

from parcauto.core.params import ascii_digits

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

PATH = "/gateway2/servlet/MpgRequest"
# e-commerce; Moneris' crypt type for a card typed on a web page and for stored cards.
CRYPT_TYPE = "7"
DUPLICATE_ORDER = "duplicate order id"
API_VERSION = "Parcauto 1.0"
Fields = dict[str, "str | Fields"]


@dataclass(frozen=True)
class Receipt:
    """The parts of Moneris' <receipt> that we use."""

    fields: dict[str, str]
    resolve_data: dict[str, str]

    def get(self, name: str) -> str:
        value = self.fields.get(name, "")
        return "" if value == "null" else value

    @property
    def response_code(self) -> str:
        return self.get("ResponseCode")

    @property
    def approved(self) -> bool:
        return simulator.response_approved(self.response_code)

    @property
    def timed_out(self) -> bool:
        return self.get("TimedOut").lower() == "true"

    @property
    def message(self) -> str:
        return self.fields.get("Message", "").strip()

    def charge_result(self, order_id: str, *, duplicate: bool = False) -> ChargeResult:
        return ChargeResult(
            order_id=order_id,
            approved=self.approved,
            response_code=self.response_code,
            message=self.message[:200],
            reference=self.get("TransID"),
            # Moneris sends "000000" with a decline: no authorization to keep.
            auth_code=self.get("AuthCode").strip() if self.approved else "",
            duplicate=duplicate,
        )


class MonerisGateway:
    name = "moneris"

    def __init__(
        self,
        *,
        store_id: str,
        api_token: str,
        host: str,
        ht_profile_id: str = "",
        timeout: float = 35,
        concurrency: int = 4,
        scheme: str = "https",
    ) -> None:
        self.store_id = store_id
        self.api_token = api_token
        self.host = host
        self.ht_profile_id = ht_profile_id
        self.timeout = timeout
        self.concurrency = concurrency
        self.url = f"{scheme}://{host}{PATH}"

    @classmethod
    def from_settings(cls) -> MonerisGateway:
        if not settings.MONERIS_STORE_ID or not settings.MONERIS_API_TOKEN:
            raise ImproperlyConfigured("The Moneris gateway needs MONERIS_STORE_ID and _API_TOKEN")
        return cls(
            store_id=settings.MONERIS_STORE_ID,
            api_token=settings.MONERIS_API_TOKEN,
            host=settings.MONERIS_HOST,
            ht_profile_id=settings.MONERIS_HT_PROFILE_ID,
            timeout=settings.MONERIS_TIMEOUT_SECONDS,
            concurrency=settings.MONERIS_CONCURRENCY,
        )

    # --- Hosted Tokenization and Vault ---------------------------------------------------

    def hosted_tokenization(self, *, page_origin: str, language: str) -> HostedTokenization:
        with translation.override(language):
            labels = {
                "pan_label": _("Card number"),
                "exp_label": _("Expiry date (MMYY)"),
                "cvd_label": _("Security code (CVD)"),
            }
        query = urlencode(
            {
                "id": self.ht_profile_id,
                "pmmsg": "true",  # answer the page by postMessage
                "display_labels": "1",
                "enable_exp": "1",
                "enable_cvd": "1",
                "enable_cc_formatting": "1",  # groups of four while typing
                "enable_exp_formatting": "1",
                **labels,
            }
        )
        origin = f"https://{self.host}"
        return HostedTokenization(iframe_url=f"{origin}/HPPtoken/index.php?{query}", origin=origin)

    def vault_add(self, *, temporary_token: str, customer_id: str) -> CardProfile:
        verification = self._send(
            "res_card_verification_cc",
            {
                "data_key": temporary_token,
                "order_id": f"verify-{uuid.uuid4().hex}",
                "crypt_type": CRYPT_TYPE,
                "cof_info": {"payment_indicator": "C", "payment_information": "0"},
            },
        )
        if not verification.approved:
            raise CardRejected(
                card_refusal_message(verification.response_code),
                response_code=verification.response_code,
            )
        issuer_id = verification.get("IssuerId")
        added = self._send(
            "res_add_token",
            {
                "data_key": temporary_token,
                "cust_id": customer_id,
                "crypt_type": CRYPT_TYPE,
                "cof_info": {"issuer_id": issuer_id},
            },
        )
        data_key = added.get("DataKey")
        if added.get("ResSuccess").lower() != "true" or not data_key:
            raise CardRejected(
                card_refusal_message(added.response_code), response_code=added.response_code
            )
        masked_pan = added.resolve_data.get("masked_pan", "")
        return CardProfile(
            data_key=data_key,
            brand=simulator.card_brand(masked_pan),
            last4=masked_pan[-4:],
            expiry=added.resolve_data.get("expdate", ""),
            issuer_id=issuer_id,
        )

    def vault_delete(self, *, data_key: str) -> None:
        receipt = self._send("res_delete", {"data_key": data_key})
        # Already gone counts as deleted: the point is that nothing stays.
        if receipt.get("ResSuccess").lower() != "true" and receipt.get("DataKey"):
            raise GatewayError(f"Moneris could not delete the profile: {receipt.message}")

    # --- Charges ---------------------------------------------------------------------------

    def purchase(self, charge: Charge) -> ChargeResult:
        receipt = self._send("res_purchase_cc", _purchase_fields(charge))
        if not receipt.response_code and DUPLICATE_ORDER in receipt.message.lower():
            stored = self.status(order_id=charge.order_id, charge=charge)
            if stored is None:
                raise GatewayError(f"Moneris: duplicate {charge.order_id} without a record")
            return stored
        return receipt.charge_result(charge.order_id)

    def purchase_many(self, charges: Sequence[Charge]) -> list[ChargeResult | GatewayError]:
        def one(charge: Charge) -> ChargeResult | GatewayError:
            try:
                return self.purchase(charge)
            except GatewayError as error:
                return error

        # Moneris takes one transaction per request: a few at a time keep a run short.
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, charges))

    def status(self, *, order_id: str, charge: Charge | None = None) -> ChargeResult | None:
        """Moneris wants the original transaction resent; without it, the order id alone."""
        fields: Fields = _purchase_fields(charge) if charge else {"order_id": order_id}
        receipt = self._send("res_purchase_cc", fields, status_check=True)
        status_code = receipt.get("status_code")
        # Moneris: a status code under 50 means "found", 50 and over "no such order id".
        if not ascii_digits(status_code) or int(status_code) >= simulator.APPROVAL_LIMIT:
            return None
        return receipt.charge_result(order_id, duplicate=True)

    def refund(self, *, order_id: str, original: ChargeResult, amount: Decimal) -> ChargeResult:
        receipt = self._send(
            "refund",
            {
                "order_id": original.order_id,
                "amount": f"{amount:.2f}",
                "txn_number": original.reference,
                "crypt_type": CRYPT_TYPE,
            },
        )
        return receipt.charge_result(order_id)

    # --- Transport -------------------------------------------------------------------------

    def _send(self, transaction: str, fields: Fields, *, status_check: bool = False) -> Receipt:
        body = request_xml(
            store_id=self.store_id,
            api_token=self.api_token,
            transaction=transaction,
            fields=fields,
            status_check=status_check,
        )
        request = urllib.request.Request(  # noqa: S310 - the URL is ours (https in production)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "text/xml; charset=utf-8", "User-Agent": API_VERSION},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except TimeoutError as error:
            raise GatewayTimeout(f"Moneris did not answer {transaction} in time") from error
        except urllib.error.HTTPError as error:
            raise GatewayError(f"Moneris answered HTTP {error.code} to {transaction}") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise GatewayTimeout(f"Moneris did not answer {transaction} in time") from error
            raise GatewayError(f"Moneris unreachable: {error.reason}") from error
        receipt = receipt_parse(payload)
        if receipt.timed_out:
            raise GatewayTimeout(f"Moneris timed out on {transaction}")
        return receipt


def request_xml(
    *, store_id: str, api_token: str, transaction: str, fields: Fields, status_check: bool = False
) -> bytes:
    root = ET.Element("request")
    ET.SubElement(root, "store_id").text = store_id
    ET.SubElement(root, "api_token").text = api_token
    if status_check:
        ET.SubElement(root, "status_check").text = "true"
    _append(ET.SubElement(root, transaction), fields)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _append(parent: ET.Element, fields: Fields) -> None:
    for name, value in fields.items():
        if isinstance(value, dict):
            _append(ET.SubElement(parent, name), value)
        elif value:
            ET.SubElement(parent, name).text = value


def receipt_parse(payload: bytes) -> Receipt:
    # No DTD, no entities: Moneris sends none, and refusing them keeps the parser safe.
    if b"<!DOCTYPE" in payload or b"<!ENTITY" in payload:
        raise GatewayError("Moneris' answer carries a DTD")
    try:
        root = ET.fromstring(payload)  # noqa: S314 - DTDs refused above
    except ET.ParseError as error:
        raise GatewayError("Moneris' answer is not XML") from error
    receipt = root.find("receipt")
    if root.tag != "response" or receipt is None:
        raise GatewayError("Moneris' answer has no receipt")
    resolve = receipt.find("ResolveData")
    return Receipt(
        fields={child.tag: (child.text or "") for child in receipt if len(child) == 0},
        resolve_data={child.tag: (child.text or "") for child in resolve}
        if resolve is not None
        else {},
    )


def _purchase_fields(charge: Charge) -> Fields:
    return {
        "data_key": charge.data_key,
        "order_id": charge.order_id,
        "amount": f"{charge.amount:.2f}",
        "crypt_type": CRYPT_TYPE,
        "cof_info": {
            "payment_indicator": "R" if charge.recurring else "C",
            "payment_information": "2",
            "issuer_id": charge.issuer_id,
        },
    }
