"""The breathing schedule: a pattern becomes cues on one absolute timeline. Pure."""

from __future__ import annotations

import pytest

from companion.breathing.schedule import breaths_per_minute, cycles_for, schedule
from companion.content.model import Content, Pattern


def pattern(content: Content, pattern_id: str) -> Pattern:
    return next(p for p in content.breathing.patterns if p.id == pattern_id)


def test_cues_are_placed_by_absolute_time(content: Content) -> None:
    plan = schedule(content.breathing, pattern(content, "4-7-8"), 2)
    assert [(c.at, c.text, c.cycle) for c in plan.cues] == [
        (0, "Breathe in for 4", 0),
        (4, "Hold for 7", 0),
        (11, "Breathe out for 8", 0),
        (19, "Breathe in", 1),
        (23, "Hold", 1),
        (30, "Breathe out", 1),
    ]
    assert plan.seconds == 38


def test_half_seconds_are_spoken_as_such(content: Content) -> None:
    plan = schedule(content.breathing, pattern(content, "resonance"), 1)
    assert plan.cues[0].text == "Breathe in for 5.5"


@pytest.mark.parametrize(
    ("pattern_id", "bpm"),
    [("resonance", 5.45), ("longer-exhale", 6.0), ("box", 3.75), ("4-7-8", 3.16)],
    ids=["resonance", "longer-exhale", "box", "4-7-8"],
)
def test_breaths_per_minute(content: Content, pattern_id: str, bpm: float) -> None:
    assert breaths_per_minute(pattern(content, pattern_id)) == pytest.approx(bpm, abs=0.01)


def test_two_minutes_of_the_default_is_twelve_breaths(content: Content) -> None:
    assert cycles_for(pattern(content, content.breathing.default_pattern), 2) == 12


def test_at_least_one_breath(content: Content) -> None:
    assert cycles_for(pattern(content, "4-7-8"), 0.01) == 1
    with pytest.raises(ValueError):
        schedule(content.breathing, pattern(content, "box"), 0)
