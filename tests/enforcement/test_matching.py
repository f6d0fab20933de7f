"""The look-alikes of a read plate: exactly the allowed edits, never the plate itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parcauto.enforcement.services.matching import (
    CONFUSABLE_GROUPS,
    PLATE_ALPHABET,
    confusable,
    plate_lookalikes,
)

plates = st.text(alphabet=PLATE_ALPHABET, min_size=2, max_size=8)


def edits_allowed(read: str, candidate: str) -> int | None:
    """Written apart from the matcher: the edits from `read` to `candidate` when they are
    1 or 2 confusable substitutions or one dropped character; None otherwise."""
    if len(candidate) == len(read):
        differing = [(a, b) for a, b in zip(read, candidate, strict=True) if a != b]
        groups = [set(group) for group in CONFUSABLE_GROUPS]
        if 1 <= len(differing) <= 2 and all(
            any({a, b} <= group for group in groups) for a, b in differing
        ):
            return len(differing)
        return None
    if len(candidate) == len(read) + 1:
        dropped = any(candidate[:i] + candidate[i + 1 :] == read for i in range(len(candidate)))
        return 1 if dropped else None
    return None


def test_one_confusable_character_gives_its_whole_group() -> None:
    found = plate_lookalikes("AB")
    assert {plate: edits for plate, edits in found.items() if len(plate) == 2} == {"A8": 1}


def test_two_substitutions_at_most() -> None:
    found = plate_lookalikes("B5O")
    assert (found["8SO"], found["85Q"], found["B50"]) == (2, 2, 1)
    assert "8SQ" not in found  # three characters changed: another plate
    assert found["B5OX"] == 1  # a dropped character


def test_a_dropped_character_is_one_edit_and_the_plate_stays_eight_long() -> None:
    found = plate_lookalikes("ABC123")
    assert found["ABC1234"] == 1
    assert found["XABC123"] == 1
    assert all(len(plate) <= 8 for plate in plate_lookalikes("ABCD1234"))
    assert not [plate for plate in plate_lookalikes("ABCD1234") if len(plate) != 8]


def test_letters_that_no_camera_confuses_have_no_substitute() -> None:
    found = plate_lookalikes("XYZ")
    assert {plate for plate in found if len(plate) == 3} == {"XY2"}
    assert not confusable("X", "Y")
    assert confusable("L", "1") and confusable("Q", "D") and not confusable("A", "A")


def test_what_no_plate_can_be_has_no_lookalike() -> None:
    assert plate_lookalikes("A") == {}
    assert plate_lookalikes("ABCDEFGHI") == {}


@given(plates)
def test_a_plate_is_never_its_own_lookalike(plate: str) -> None:
    assert plate not in plate_lookalikes(plate)


@given(plates)
def test_a_candidate_never_differs_by_more_than_the_allowed_edits(plate: str) -> None:
    for candidate, edits in plate_lookalikes(plate).items():
        assert edits_allowed(plate, candidate) == edits, candidate


@given(plates, st.data())
def test_every_plate_within_the_allowed_edits_is_a_candidate(plate: str, data) -> None:
    positions = [i for i, c in enumerate(plate) if any(c in g for g in CONFUSABLE_GROUPS)]
    changed = list(plate)
    chosen = (
        data.draw(st.lists(st.sampled_from(positions), unique=True, max_size=2))
        if positions
        else []
    )
    for i in chosen:
        group = next(g for g in CONFUSABLE_GROUPS if plate[i] in g)
        changed[i] = data.draw(st.sampled_from(group.replace(plate[i], "")))
    misread = "".join(changed)
    if chosen:
        assert plate_lookalikes(plate)[misread] == len(chosen)
    if len(plate) < 8:
        at = data.draw(st.integers(0, len(plate)))
        longer = plate[:at] + data.draw(st.sampled_from(PLATE_ALPHABET)) + plate[at:]
        assert plate_lookalikes(plate)[longer] == 1
