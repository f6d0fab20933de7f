"""The OpenAPI schema's shared parts: the error shape and which codes each status carries."""

from __future__ import annotations

from collections import defaultdict

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .errors import ERRORS

# What any device endpoint may answer, whatever it does.
COMMON_ERRORS = (
    "missing_key",
    "invalid_key",
    "revoked_key",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "throttled",
)


class ErrorSerializer(serializers.Serializer):
    """`{"code", "message", "fields"}`: every error of the API."""

    code = serializers.ChoiceField(choices=sorted(ERRORS), help_text="Stable: branch on it.")
    message = serializers.CharField(help_text="For people, in the Accept-Language (fr or en).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The inputs at fault, each with its messages; empty when none is.",
    )


def error_responses(*codes: str) -> dict[int, OpenApiResponse]:
    """One documented response per status, listing its codes and what each means."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in dict.fromkeys((*codes, *COMMON_ERRORS)):
        by_status[ERRORS[code][0]].append(code)
    return {
        status: OpenApiResponse(
            ErrorSerializer,
            description="; ".join(f"`{code}`: {ERRORS[code][1]}" for code in found),
        )
        for status, found in sorted(by_status.items())
    }
