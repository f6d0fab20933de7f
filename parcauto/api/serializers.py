"""What devices send and receive, as the OpenAPI schema describes it.

A decision's request is read by `decision_request_read` first: a plain, well-formed body
(what a gate sends) is taken as it is, and anything else goes through
`DecisionRequestSerializer`, whose answers and errors stay the API's. A serializer costs
~0.2 ms of CPU per request (DRF deep-copies its fields for every instance), a sixth of a
decision's in process (bench/README.md, *bench/access.py*).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from parcauto.access.decisions import NONCE_PATTERN, TOKEN_PATTERN
from parcauto.access.devices import LANE_MAX_LENGTH
from parcauto.access.models import AccessEvent, AccessGrant, Reason
from parcauto.core.params import MAX_ID
from parcauto.enforcement.models import CheckReason
from parcauto.enforcement.models import Verdict as CheckVerdict
from parcauto.vehicles.models import JURISDICTION_CODES

FIRST_YEAR, LAST_YEAR = 2000, 2100
PLATE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,10}[A-Za-z0-9]", re.ASCII)
_PLAIN_LANE = re.compile(r"[\w.'-]+(?: [\w.'-]+)*")  # what lanes_parse accepts, trimmed
_DIRECTIONS = frozenset(AccessEvent.Direction.values)


def device_time_parse(data: Any) -> dt.datetime | None:
    """An ISO 8601 time with its offset, in UTC; None if `data` is not one."""
    if not isinstance(data, str) or len(data) > 40:
        return None
    try:
        value = dt.datetime.fromisoformat(data)
    except ValueError:
        return None
    if value.utcoffset() is None or not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None  # the year's bounds keep the conversion to UTC in range
    return value.astimezone(dt.UTC)


@extend_schema_field(OpenApiTypes.DATETIME)
class DeviceTimeField(serializers.Field):
    """An ISO 8601 time with its offset (`2026-11-02T08:00:00-05:00`, `...Z`), in UTC."""

    default_error_messages = {
        "invalid": _("Give the time in ISO 8601 with its offset, e.g. 2026-11-02T08:00:00-05:00.")
    }

    def to_internal_value(self, data: Any) -> dt.datetime:
        value = device_time_parse(data)
        if value is None:
            raise serializers.ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class DecisionRequestSerializer(serializers.Serializer):
    token = serializers.RegexField(
        rf"^{TOKEN_PATTERN.pattern}$",
        required=False,
        help_text="The pass's QR code, as read. Give a token or a plate.",
    )
    plate = serializers.RegexField(
        rf"^{PLATE_PATTERN.pattern}$",
        required=False,
        help_text="A licence plate as read (spaces and dashes are ignored), with `province`.",
    )
    province = serializers.ChoiceField(
        choices=sorted(JURISDICTION_CODES),
        required=False,
        help_text="The plate's province or state (two letters). Required with `plate`.",
    )
    lot = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The device's lot.")
    lane = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=LANE_MAX_LENGTH,
        help_text="One of the device's lanes (any, when it was registered with none).",
    )
    direction = serializers.ChoiceField(choices=AccessEvent.Direction.choices)
    device_time = DeviceTimeField(
        help_text="The device's clock when the pass or plate was read: at most "
        "PARCAUTO_ACCESS_MAX_CLOCK_SKEW_SECONDS (5 minutes) from the server's."
    )
    nonce = serializers.RegexField(
        rf"^{NONCE_PATTERN.pattern}$",
        required=False,
        help_text="Unique per request of this device (or the Idempotency-Key header): a "
        "retry with the same nonce gets the same decision and records nothing more.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("token" in attrs) == ("plate" in attrs):
            raise serializers.ValidationError(
                {"token": [_("Give the pass's token or a plate, not both.")]}, code="credential"
            )
        if "plate" in attrs and "province" not in attrs:
            raise serializers.ValidationError(
                {"province": [_("Give the plate's province.")]}, code="required"
            )
        return attrs


def _plain(data: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> bool:
    """`name` is absent, or a string that `pattern` matches whole."""
    if name not in data:
        return True
    value = data[name]
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def decision_request_read(data: Any) -> dict[str, Any] | None:
    """`DecisionRequestSerializer`'s validated data for a plain, valid body, read without
    it; None for anything else (then the serializer reads it, and says what is wrong).

    Plain: each field of the right JSON type, already in its final form (a string that
    trimming or conversion would change is left to the serializer).
    tests/api/test_decision_request.py checks it against the serializer.
    """
    if not isinstance(data, dict):
        return None
    lot, lane = data.get("lot"), data.get("lane", "")
    direction, province = data.get("direction"), data.get("province")
    device_time = device_time_parse(data.get("device_time"))
    if (
        type(lot) is not int
        or not 1 <= lot <= MAX_ID
        or not isinstance(lane, str)
        or (lane and (len(lane) > LANE_MAX_LENGTH or not _PLAIN_LANE.fullmatch(lane)))
        or not isinstance(direction, str)
        or direction not in _DIRECTIONS
        or device_time is None
        or ("token" in data) == ("plate" in data)
        or not _plain(data, "token", TOKEN_PATTERN)
        or not _plain(data, "plate", PLATE_PATTERN)
        or not _plain(data, "nonce", NONCE_PATTERN)
        or (
            ("province" in data or "plate" in data)
            and not (isinstance(province, str) and province in JURISDICTION_CODES)
        )
    ):
        return None
    read = {"lot": lot, "lane": lane, "direction": direction, "device_time": device_time}
    for name in ("token", "plate", "province", "nonce"):
        if name in data:
            read[name] = data[name]
    return read


class DisplaySerializer(serializers.Serializer):
    fr = serializers.CharField()
    en = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    event_id = serializers.IntegerField(help_text="The recorded event (the same on a retry).")
    decision = serializers.ChoiceField(choices=["allow", "deny"])
    allowed = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=Reason.choices)
    display = DisplaySerializer(help_text="What the gate may show, in French and English.")
    recorded_at = serializers.DateTimeField()
    replayed = serializers.BooleanField(help_text="True when this answers a retry.")


class GrantRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Stable: a delta's row replaces the one of this id.")
    kind = serializers.ChoiceField(choices=AccessGrant.Kind.choices)
    credential = serializers.CharField(
        help_text="A pass: the SHA-256 (hex) of its token. A plate: normalised (A-Z, 0-9)."
    )
    jurisdiction = serializers.CharField(help_text="A plate's province or state; empty for a pass.")
    contract_from = serializers.DateTimeField(help_text="Before it: not yet valid.")
    valid_from = serializers.DateTimeField(help_text="Before it (a new plate): not yet in effect.")
    valid_until = serializers.DateTimeField(allow_null=True, help_text="Excluded; null: no end.")
    state = serializers.ChoiceField(choices=AccessGrant.State.choices)
    revision = serializers.IntegerField()


class AllowlistSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    since = serializers.IntegerField(allow_null=True, help_text="As asked; null: the full list.")
    revision = serializers.IntegerField(help_text="Ask `?since=` this next time.")
    generated_at = serializers.DateTimeField()
    grants = GrantRowSerializer(many=True, help_text="Valid grants (new or changed).")
    removed = GrantRowSerializer(
        many=True,
        help_text="Grants no longer valid (suspended, cancelled, revoked): drop their id. "
        "Always empty in a full list.",
    )


class PlateReadSerializer(serializers.Serializer):
    read_id = serializers.RegexField(
        rf"^{NONCE_PATTERN.pattern}$",
        help_text="Unique per read of this device: the same read sent again gets the stored "
        "answer back, checked once.",
    )
    plate = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9 -]{0,10}[A-Za-z0-9]$",
        help_text="The plate as read (spaces and dashes are ignored).",
    )
    province = serializers.ChoiceField(
        choices=sorted(JURISDICTION_CODES),
        required=False,
        default="QC",
        help_text="The plate's province or state (two letters); QC when not read.",
    )
    confidence = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(1),
        rounding=ROUND_HALF_UP,
        required=False,
        allow_null=True,
        default=None,
        help_text="The reader's confidence, 0 to 1 (kept with the check).",
    )
    read_at = DeviceTimeField(
        required=False,
        help_text="When the plate was read (the answer is as of then); now when not given. "
        "At most PARCAUTO_ACCESS_MAX_CLOCK_SKEW_SECONDS ahead of the server's clock.",
    )
    lot = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The lot the car is in: the device's own by default. A patrol phone may "
        "name any lot of its institution, a camera only its own.",
    )
    camera = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Which camera."
    )


MAX_READS = 100


class PlateChecksRequestSerializer(serializers.Serializer):
    reads = PlateReadSerializer(many=True, min_length=1, max_length=MAX_READS)


# What a confidence, a camera's name, a read's reading looks like when the serializer
# would take it unchanged: 0 to 1 with three decimals at most; printable ASCII, trimmed.
_PLAIN_CONFIDENCE = re.compile(r"0(?:\.\d{1,3})?|1(?:\.0{1,3})?")
_PLAIN_CAMERA = re.compile(r"(?:[!-~](?:[ -~]{0,62}[!-~])?)?")
_THOUSANDTH = Decimal("0.001")


def _plain_read(read: Any) -> dict[str, Any] | None:
    if not isinstance(read, dict):
        return None
    province, confidence = read.get("province", "QC"), read.get("confidence")
    lot, camera = read.get("lot"), read.get("camera", "")
    read_at = device_time_parse(read["read_at"]) if "read_at" in read else None
    if (
        "read_id" not in read
        or "plate" not in read
        or not _plain(read, "read_id", NONCE_PATTERN)
        or not _plain(read, "plate", PLATE_PATTERN)
        or not (isinstance(province, str) and province in JURISDICTION_CODES)
        or not (
            confidence is None
            or (type(confidence) in (int, float) and _PLAIN_CONFIDENCE.fullmatch(str(confidence)))
        )
        or ("read_at" in read and read_at is None)
        or ("lot" in read and not (type(lot) is int and 1 <= lot <= MAX_ID))
        or not (isinstance(camera, str) and _PLAIN_CAMERA.fullmatch(camera))
    ):
        return None
    plain = {
        "read_id": read["read_id"],
        "plate": read["plate"],
        "province": province,
        "confidence": None
        if confidence is None
        else Decimal(str(confidence)).quantize(_THOUSANDTH),
        "camera": camera,
    }
    if read_at is not None:
        plain["read_at"] = read_at
    if lot is not None:
        plain["lot"] = lot
    return plain


def plate_checks_request_read(data: Any) -> list[dict[str, Any]] | None:
    """`PlateChecksRequestSerializer`'s validated reads for a plain, valid body, read
    without it (as `decision_request_read`); None for anything else. A nested serializer
    of many costs more than a single one: ~0.5 ms of a check's 6 in process.
    tests/api/test_plate_checks_request.py checks it against the serializer."""
    reads = data.get("reads") if isinstance(data, dict) else None
    if not isinstance(reads, list) or not 1 <= len(reads) <= MAX_READS:
        return None
    plain = [_plain_read(read) for read in reads]
    return None if None in plain else plain  # type: ignore[return-value]


class PlateCandidateSerializer(serializers.Serializer):
    plate = serializers.CharField()
    province = serializers.CharField()
    edits = serializers.IntegerField(
        help_text="Characters changed from the read (0: the same plate, another province)."
    )
    contract = serializers.IntegerField(allow_null=True, help_text="The permit's contract number.")


class PlateCheckResultSerializer(serializers.Serializer):
    read_id = serializers.CharField()
    check_id = serializers.IntegerField(help_text="The stored check (the same on a retry).")
    plate = serializers.CharField(help_text="The read plate, normalised.")
    province = serializers.CharField()
    verdict = serializers.ChoiceField(choices=CheckVerdict.choices)
    reason = serializers.ChoiceField(choices=CheckReason.choices)
    valid_until = serializers.DateTimeField(
        allow_null=True, help_text="A valid permit's end (excluded); null: no end, or not valid."
    )
    contract = serializers.IntegerField(
        allow_null=True, help_text="The contract number the reason is about, if any."
    )
    possible = serializers.BooleanField(
        help_text="Not valid, but a look-alike plate holds a valid permit here: a person "
        "confirms the plate before any notice."
    )
    candidates = PlateCandidateSerializer(many=True)


class PlateChecksSerializer(serializers.Serializer):
    results = PlateCheckResultSerializer(many=True, help_text="In the order of the reads.")
