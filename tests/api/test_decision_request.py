"""The plain reading of a decision's request agrees with DecisionRequestSerializer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from parcauto.api.serializers import DecisionRequestSerializer, decision_request_read

from .edges import TEXT_EDGES

NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
PLAIN = {
    "token": "bench0000000001_parcauto_pass",
    "lot": 12,
    "direction": "entry",
    "device_time": NOW.isoformat(),
    "nonce": "borne-a-17",
}

# Besides the API's common edges: a token's, a lane's and a direction's.
_TEXT = st.sampled_from(
    [
        *TEXT_EDGES,
        "a" * 22,
        "a" * 21,
        "a" * 128,
        "a" * 129,
        " " + "a" * 30,
        "a" * 30 + "\n",
        "entry",
        "exit",
        "Entry",
        "E1",
        "Entrée A",
        " E1",
        "E1 ",
        "E  1",
        "é" * 31,
        "k-1",
        "a b",
        "²",
        "12",
    ]
)
_VALUE = st.one_of(
    _TEXT,
    st.text(max_size=40),
    st.integers(min_value=-2, max_value=2**64),
    st.sampled_from([True, False, None, 1.0, 12.5, [], {}, ["a" * 30]]),
)
_FIELDS = ["token", "plate", "province", "lot", "lane", "direction", "device_time", "nonce", "x"]


def _serialized(data: Any) -> dict[str, Any] | None:
    serializer = DecisionRequestSerializer(data=data)
    return dict(serializer.validated_data) if serializer.is_valid() else None


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from(
        [
            PLAIN,
            {k: v for k, v in PLAIN.items() if k != "token"} | {"plate": "ABC123"},
            PLAIN | {"lane": "Entrée A", "province": "QC"},
        ]
    ),
    changes=st.dictionaries(st.sampled_from(_FIELDS), _VALUE, max_size=3),
    removed=st.sets(st.sampled_from(_FIELDS), max_size=2),
)
def test_what_is_read_plainly_is_what_the_serializer_gives(
    base: dict[str, Any], changes: dict[str, Any], removed: set[str]
) -> None:
    data = {k: v for k, v in (base | changes).items() if k not in removed}
    read = decision_request_read(data)
    if read is not None:
        assert read == _serialized(data), data


def test_a_gates_plain_requests_are_read_without_the_serializer() -> None:
    plate = {k: v for k, v in PLAIN.items() if k != "token"} | {"plate": "ABC 123"}
    for data in (PLAIN, PLAIN | {"lane": "Entrée A"}, plate | {"province": "QC"}):
        read = decision_request_read(data)
        assert read is not None
        assert read == _serialized(data)
    assert read["device_time"] == NOW.astimezone(dt.UTC)
    assert decision_request_read(PLAIN | {"lot": "12"}) is None  # the serializer converts it
    assert decision_request_read(plate) is None  # no province: the serializer refuses it
    assert decision_request_read([PLAIN]) is None
