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
from hypothesis import HealthCheck, given, settings

from .fuzzing import (
    COMMON_PARAMETERS,
    QUERY_PARAMETERS,
    Case,
    Found,
    Target,
    cases,
    fuzzed_keys,
    send,
    targets_found,
)
from .world import World

pytestmark = pytest.mark.django_db

MINIMUM_CASES = 2_000
EXAMPLES_PER_FIELD = 3
EXAMPLES_PER_URL = (8, 40)  # fewest, most
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


def planned(key: str, found: list[Target]) -> int:
    """How many cases a URL gets: a few per field it has, within bounds."""
    if key in SLOW:
        return SLOW[key]
    fields = {name for target in found for name in target.names}
    fewest, most = EXAMPLES_PER_URL
    return max(fewest, min(most, EXAMPLES_PER_FIELD * len(fields)))


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


def _failure(case: Case, error: BaseException | None, status: int) -> str:
    if error is None:
        return f"{status} for {case}"
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/parcauto/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"
    return f"{type(error).__name__} at {where} ({error!s:.120}) for {case}"


@pytest.mark.parametrize("key", fuzzed_keys())
def test_no_input_answers_a_server_error(world, found, key):
    """One failure per kind of error is shown, with the first case that raised it."""
    assert found.broken.get(key, []) == [], "the page fails before any odd value"
    targets = found.targets[key]
    failures: dict[str, str] = {}
    sent = 0

    @settings(
        max_examples=planned(key, targets),
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
            failures.setdefault(f"{type(error).__name__}", _failure(case, error, 500))
            return
        if status >= 500:
            failures.setdefault(str(status), _failure(case, None, status))

    one_case()
    assert list(failures.values()) == []
    assert sent >= planned(key, targets)
