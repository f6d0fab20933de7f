"""The plain reading of a plate checks request agrees with PlateChecksRequestSerializer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from parcauto.api.serializers import PlateChecksRequestSerializer, plate_checks_request_read

from .edges import TEXT_EDGES

NOW = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
READ = {
    "read_id": "cam2-000123",
    "plate": "ABC 123",
    "province": "QC",
    "confidence": 0.93,
    "read_at": NOW.isoformat(),
    "camera": "cam-2",
}

# Besides the API's common edges: a camera's name's, a plate's and a confidence's.
_VALUE = st.one_of(
    st.sampled_from([*TEXT_EDGES, "a" * 64, "a" * 65, " cam", "cam ", "caméra", "ABC 123 ", "0.5"]),
    st.text(max_size=12),
    st.integers(min_value=-2, max_value=2**64),
    st.sampled_from([0, 1, 0.0, 1.0, 0.5, 0.125, 0.1234, 1.001, 1e-3, 1e-4, -0.0, 2.5]),
    st.sampled_from([True, False, None, [], {}]),
)
_FIELDS = ["read_id", "plate", "province", "confidence", "read_at", "lot", "camera", "x"]


def _serialized(data: Any) -> list[dict[str, Any]] | None:
    serializer = PlateChecksRequestSerializer(data=data)
    if not serializer.is_valid():
        return None
    return [dict(read) for read in serializer.validated_data["reads"]]


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from([READ, {"read_id": "r-1", "plate": "FAB1234"}, READ | {"lot": 7}]),
    changes=st.dictionaries(st.sampled_from(_FIELDS), _VALUE, max_size=3),
    removed=st.sets(st.sampled_from(_FIELDS), max_size=2),
    count=st.integers(min_value=1, max_value=3),
)
def test_what_is_read_plainly_is_what_the_serializer_gives(
    base: dict[str, Any], changes: dict[str, Any], removed: set[str], count: int
) -> None:
    read = {k: v for k, v in (base | changes).items() if k not in removed}
    data = {"reads": [READ] * (count - 1) + [read]}
    plain = plate_checks_request_read(data)
    if plain is not None:
        assert plain == _serialized(data), data


def test_a_cameras_plain_batches_are_read_without_the_serializer() -> None:
    minimal = {"read_id": "r-1", "plate": "FAB1234"}
    for data in ({"reads": [READ]}, {"reads": [READ, minimal]}, {"reads": [minimal] * 100}):
        plain = plate_checks_request_read(data)
        assert plain is not None
        assert plain == _serialized(data)
    first = plate_checks_request_read({"reads": [READ]})
    assert first is not None
    assert first[0]["read_at"] == NOW.astimezone(dt.UTC)
    assert first[0]["confidence"] == Decimal("0.930")
    assert plate_checks_request_read({"reads": [minimal] * 101}) is None  # too many
    assert plate_checks_request_read({"reads": []}) is None
    assert plate_checks_request_read({"reads": [READ | {"confidence": "0.9"}]}) is None
    assert plate_checks_request_read([READ]) is None
