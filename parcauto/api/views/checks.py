"""`POST /api/v1/plates/checks`: is each plate a camera or a patrol phone read valid here?"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from parcauto.core.clock import now
from parcauto.enforcement.models import PlateCheck, Verdict
from parcauto.enforcement.services.device_reads import PlateRead, plate_reads_check

from ..schema import error_responses
from ..serializers import (
    PlateChecksRequestSerializer,
    PlateChecksSerializer,
    plate_checks_request_read,
)
from .base import DeviceView


def _result(check: PlateCheck) -> dict[str, object]:
    return {
        "read_id": check.read_id,
        "check_id": check.pk,
        "plate": check.plate,
        "province": check.jurisdiction,
        "verdict": check.verdict,
        "reason": check.reason,
        "valid_until": check.valid_until.isoformat() if check.valid_until else None,
        "contract": check.contract_number,
        "possible": check.verdict == Verdict.NOT_VALID and bool(check.candidates),
        "candidates": [
            {
                "plate": candidate["plate"],
                "province": candidate["jurisdiction"],
                "edits": candidate["edits"],
                "contract": candidate["contract"],
            }
            for candidate in check.candidates
        ],
    }


def checks_body(checks: list[PlateCheck]) -> dict[str, object]:
    return {"results": [_result(check) for check in checks]}


class PlateChecksView(DeviceView):
    @extend_schema(
        operation_id="plate_checks",
        summary="Check plates read in a lot (one read or a batch of up to 100)",
        description=(
            "For plate cameras and patrol phones. Each read is answered as of its `read_at`: "
            "`valid` (`valid_permit`, or `valid_until` for an occasional permit, with its "
            "end) or `not_valid` with the reason (`no_permit`, `wrong_lot`, "
            "`vehicle_pending`: a vehicle change not yet in effect, `suspended`, `expired`, "
            "`cancelled`, `not_yet_valid`, `already_noticed`: a notice was issued for this "
            "plate today). A plate not valid lists in `candidates` the look-alikes (OCR "
            "confusions, one dropped character, the same plate under another province) "
            "that hold a valid permit here, and `possible` is true: a person confirms the "
            "plate before any notice. The same `read_id` from the same device gets the "
            "stored answer, checked once. One bad read refuses the whole batch "
            "(`fields` names it as `reads.<n>.<field>`); nothing is checked then."
        ),
        request=PlateChecksRequestSerializer,
        responses={
            200: PlateChecksSerializer,
            **error_responses(
                "invalid_request",
                "malformed_json",
                "invalid_plate",
                "invalid_province",
                "lot_not_bound",
                "unknown_lot",
                "unsupported_media_type",
                "clock_skew",
            ),
        },
        examples=[
            OpenApiExample(
                "One camera read",
                request_only=True,
                value={
                    "reads": [
                        {
                            "read_id": "cam2-000123",
                            "plate": "ABC 123",
                            "province": "QC",
                            "confidence": 0.93,
                            "read_at": "2026-12-06T10:15:00-05:00",
                            "camera": "cam-2",
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        asked = plate_checks_request_read(request.data)
        if asked is None:  # not a plain request: the serializer reads it, or says why not
            serializer = PlateChecksRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            asked = serializer.validated_data["reads"]
        reads = [
            PlateRead(
                read_id=read["read_id"],
                plate=read["plate"],
                jurisdiction=read["province"],
                read_at=read.get("read_at"),
                lot_id=read.get("lot"),
                camera=read["camera"],
                confidence=read["confidence"],
            )
            for read in asked
        ]
        checks = plate_reads_check(device=self.device, reads=reads, now=now())
        return Response(checks_body(checks))
