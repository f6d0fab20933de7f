"""`GET /api/v1/lots/{id}/allowlist`: what a controller needs to decide offline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from parcauto.access.allowlist import allowlist_rows, allowlist_version, is_removal
from parcauto.access.decisions import UnknownLot, device_lot
from parcauto.catalog.models import ParkingLot
from parcauto.core.clock import now
from parcauto.core.params import MAX_ID, parse_id, parse_int

from ..errors import ApiError
from ..schema import error_responses
from ..serializers import AllowlistSerializer
from .base import DeviceView

_UTC_SUFFIX = "+00:00"
_ROWS_PER_CHUNK = 1_000  # one write to the socket per thousand grants, not per grant
_quoted = json.encoder.encode_basestring  # in C, escapes as json.dumps does


def _when(value: dt.datetime | None) -> str:
    """A JSON time in UTC (`"2026-11-02T13:00:00Z"`), or null."""
    if value is None:
        return "null"
    if value.utcoffset():
        value = value.astimezone(dt.UTC)
    return '"' + value.isoformat().replace(_UTC_SUFFIX, "Z") + '"'


def _row_json(row: tuple[Any, ...]) -> str:
    """One grant (`allowlist.ROW_FIELDS`) as JSON, written out: 30,000 of them through
    json.dumps with their times converted one by one took a second (bench/README.md)."""
    grant_id, kind, credential, jurisdiction, starts, opens, ends, state, revision = row
    return (
        f'{{"id":{grant_id},"kind":{_quoted(kind)},"credential":{_quoted(credential)},'
        f'"jurisdiction":{_quoted(jurisdiction)},"contract_from":{_when(starts)},'
        f'"valid_from":{_when(opens)},"valid_until":{_when(ends)},'
        f'"state":{_quoted(state)},"revision":{revision}}}'
    )


def _body(*, lot: ParkingLot, since: int | None, revision: int, at: dt.datetime) -> Iterator[str]:
    """The answer in pieces, read as it is sent (the full list of a big lot included).

    It is sent after the view has returned: it enters the institution's scope itself.
    """
    with scope(organization=lot.organization_id):
        head = {"lot": lot.pk, "since": since, "revision": revision}
        yield json.dumps(head, separators=(",", ":"))[:-1] + (
            f',"generated_at":{_when(at)},"grants":['
        )
        removed: list[str] = []
        chunk: list[str] = []
        first = True
        for row in allowlist_rows(lot=lot, since=since, now=at):
            if is_removal(row):
                removed.append(_row_json(row))
                continue
            chunk.append(_row_json(row))
            if len(chunk) == _ROWS_PER_CHUNK:
                yield ("" if first else ",") + ",".join(chunk)
                first, chunk = False, []
        if chunk:
            yield ("" if first else ",") + ",".join(chunk)
        yield '],"removed":[' + ",".join(removed) + "]}"


def _since(request: Request) -> int | None:
    value = request.query_params.get("since")
    if value is None:
        return None
    since = parse_int(value, minimum=0, maximum=MAX_ID)
    if since is None:
        message = _("Give `since` as a revision this list gave you: a whole number.")
        raise ApiError("invalid_cursor", message, fields={"since": [message]})
    return since


def _matches(request: Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    return etag in tags or "*" in tags


class AllowlistView(DeviceView):
    @extend_schema(
        operation_id="lot_allowlist",
        summary="The lot's allowlist, whole or since a revision",
        description=(
            "Every valid grant of the lot that is not over: passes by the SHA-256 (hex) of "
            "their token, plates normalised with their province or state, each with its "
            "window. Keep `revision` and ask `?since=<revision>` next: the answer then holds "
            "the grants written since, the valid ones in `grants` (replace by `id`) and the "
            "others in `removed` (drop by `id`). A grant's window ends by itself at "
            "`valid_until`. Send the `ETag` back in `If-None-Match`: 304 when nothing changed."
        ),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT64, OpenApiParameter.PATH, description="The device's lot."
            ),
            OpenApiParameter(
                "since",
                OpenApiTypes.INT64,
                description="A `revision` this list gave: only what changed after it.",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of the list you hold.",
            ),
        ],
        responses={
            200: AllowlistSerializer,
            304: OpenApiResponse(description="Not modified: the list you hold is current."),
            **error_responses("invalid_cursor", "lot_not_bound", "unknown_lot"),
        },
    )
    def get(self, request: Request, id: str) -> Response | StreamingHttpResponse:
        lot_id = parse_id(id)
        if lot_id is None:
            raise UnknownLot
        lot = device_lot(self.device, lot_id)
        since, at = _since(request), now()
        version = allowlist_version(lot=lot, since=since, now=at)
        headers = {"ETag": version.etag, "Cache-Control": "private, no-cache"}
        if _matches(request, version.etag):
            return Response(status=304, headers=headers)
        return StreamingHttpResponse(
            _body(lot=lot, since=since, revision=version.revision, at=at),
            content_type="application/json",
            headers=headers,
        )
