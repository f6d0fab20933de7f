"""`POST /api/v1/access/decisions`: may this pass or plate go through, now?"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from parcauto.access.decisions import NONCE_PATTERN, Decision, access_decide
from parcauto.core.clock import now

from ..errors import ApiError
from ..schema import error_responses
from ..serializers import DecisionRequestSerializer, DecisionSerializer, decision_request_read
from .base import DeviceView


def _nonce(request: Request, sent: str | None) -> str:
    """The body's nonce, or the Idempotency-Key header's; both must agree when both are."""
    header = request.headers.get("Idempotency-Key")
    if header is not None and not NONCE_PATTERN.fullmatch(header):
        message = _("The Idempotency-Key header has 1 to 64 printable ASCII characters.")
        raise ApiError("invalid_nonce", message, fields={"Idempotency-Key": [message]})
    if sent is not None and header is not None and sent != header:
        message = _("The Idempotency-Key header and the nonce differ.")
        raise ApiError("invalid_nonce", message, fields={"nonce": [message]})
    nonce = sent or header
    if nonce is None:
        message = _("Give a nonce, or an Idempotency-Key header.")
        raise ApiError("invalid_nonce", message, fields={"nonce": [message]})
    return nonce


def decision_body(decision: Decision) -> dict[str, object]:
    event = decision.event
    return {
        "event_id": event.pk,
        "decision": "allow" if event.allowed else "deny",
        "allowed": event.allowed,
        "reason": event.reason,
        "display": decision.display,
        "recorded_at": event.recorded_at.isoformat(),
        "replayed": decision.replayed,
    }


class DecisionView(DeviceView):
    @extend_schema(
        operation_id="access_decide",
        summary="Decide on a pass or a plate at a gate",
        description=(
            "A pass's token **or** a plate with its province, the device's lot and lane, the "
            "direction, the device's time and a nonce. The decision is recorded as an event; "
            "a retry with the same nonce gets the same answer (`replayed`) and records "
            "nothing more; the same nonce with another request is refused (409). On exit the "
            "gate opens for any pass or plate this lot knows, whatever its state."
        ),
        request=DecisionRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The nonce, when the body has none (the same if it has one).",
                pattern=f"^{NONCE_PATTERN.pattern}$",
            )
        ],
        responses={
            200: DecisionSerializer,
            **error_responses(
                "invalid_request",
                "malformed_json",
                "malformed_token",
                "invalid_plate",
                "invalid_province",
                "invalid_direction",
                "invalid_nonce",
                "lot_not_bound",
                "unknown_lot",
                "nonce_reused",
                "unsupported_media_type",
                "unknown_lane",
                "clock_skew",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = decision_request_read(request.data)
        if data is None:  # not a plain request: the serializer reads it, or says why not
            asked = DecisionRequestSerializer(data=request.data)
            asked.is_valid(raise_exception=True)
            data = asked.validated_data
        decision = access_decide(
            device=self.device,
            lot_id=data["lot"],
            lane=data["lane"],
            direction=data["direction"],
            device_time=data["device_time"],
            nonce=_nonce(request, data.get("nonce")),
            now=now(),
            token=data.get("token"),
            plate=data.get("plate"),
            jurisdiction=data.get("province"),
        )
        headers = {"Idempotent-Replayed": "true"} if decision.replayed else {}
        return Response(decision_body(decision), headers=headers)
