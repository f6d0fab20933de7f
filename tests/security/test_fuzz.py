"""No input answers a server error: generated values sent to every form field and query
parameter of every URL of the matrix, as each role that reaches it.

Values (`values.py`): unicode digits, 23-digit and negative numbers, impossible dates,
10,000-character strings, NUL bytes, lists where one value is expected, empty and missing
fields, odd file names and bytes. Each case is one request in a savepoint rolled back after
it, with a valid CSRF token. Derandomized: CI runs the same cases every time.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from .fuzzing import (
    COMMON_PARAMETERS,
    QUERY_PARAMETERS,
    Case,
    Found,
    Target,
    cases,
    fuzzed_keys,
    send,
    sweep,
    targets_found,
)
from .world import World

pytestmark = pytest.mark.django_db

MINIMUM_CASES = 2_000
# Generated cases on top of the sweep: one per field, within bounds.
GENERATED_PER_URL = (3, 10)  # fewest, most
# Each one renders a PDF (WeasyPrint): a handful of cases is enough for their one parameter.
SLOW = {"portal:subscription_contract": 3, "portal:subscription_receipt": 3}
SOURCE = Path(__file__).resolve().parents[2] / "parcauto"


@pytest.fixture(scope="module")
def found(world: World, django_db_blocker) -> Iterator[Found]:
    with django_db_blocker.unblock():
        yield targets_found(world)


@pytest.fixture(scope="module")
def targets(found: Found) -> dict[str, list[Target]]:
    return found.targets


def generated(key: str, found: list[Target]) -> int:
    """How many generated cases a URL gets, after its sweep."""
    if key in SLOW:
        return SLOW[key]
    fields = {name for target in found for name in target.names}
    fewest, most = GENERATED_PER_URL
    return max(fewest, min(most, len(fields)))


def planned(key: str, found: list[Target]) -> int:
    return (0 if key in SLOW else len(sweep(found))) + generated(key, found)


def test_the_fuzz_sends_at_least_two_thousand_cases(targets):
    assert sum(planned(key, found) for key, found in targets.items()) >= MINIMUM_CASES


def test_every_fuzzed_url_has_a_target(targets):
    assert [key for key, found in targets.items() if not found] == []


def test_every_query_parameter_the_code_reads_is_fuzzed():
    """A literal `request.GET.get("x")` (or getlist, or `"x" in request.GET`) in the code
    must be declared, so that the fuzz sends it."""
    reads = re.compile(
        r"""GET(?:\.get|\.getlist|\[)\(?\s*["'](\w+)["']|["'](\w+)["'] (?:not )?in request\.GET"""
    )
    read = {
        a or b
        for path in SOURCE.rglob("*.py")
        for a, b in reads.findall(path.read_text(encoding="utf-8"))
    }
    fuzzed = {name for names in QUERY_PARAMETERS.values() for name in names}
    assert read - fuzzed - set(COMMON_PARAMETERS) == set()


def _where(error: BaseException) -> str:
    """The error and the last line of ours it went through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/parcauto/" in f.filename] or frames
    return f"{type(error).__name__} at {Path(ours[-1].filename).name}:{ours[-1].lineno}"


@pytest.mark.parametrize("key", fuzzed_keys())
def test_no_input_answers_a_server_error(world, found, key):
    """Each error is shown once, with the first case that raised it."""
    assert found.broken.get(key, []) == [], "the page fails before any odd value"
    targets = found.targets[key]
    failures: dict[str, str] = {}
    sent = 0

    @settings(
        max_examples=generated(key, targets),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(targets))
    def one_case(case: Case) -> None:
        nonlocal sent
        sent += 1
        try:
            status = send(world, case).status_code
        except Exception as error:  # the test client re-raises what the view raised
            failures.setdefault(_where(error), f"{_where(error)} ({error!s:.120}) for {case}")
            return
        if status >= 500:
            failures.setdefault(str(status), f"{status} for {case}")

    for case in [] if key in SLOW else sweep(targets):
        one_case = example(case=case)(one_case)
    one_case()
    assert list(failures.values()) == []
    assert sent >= planned(key, targets)
