"""The breathing schedule: a pattern becomes cues on one absolute timeline. Pure."""

from __future__ import annotations

import array
import itertools

import pytest

from companion.breathing.schedule import (
    FIT_MARGIN,
    PatternError,
    breaths_per_minute,
    cycles_for,
    fit_cues,
    parse_pattern,
    pattern_from_rate,
    schedule,
)
from companion.breathing.tones import SHAPES, tone_pcm
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


# -- tones, custom patterns, fitting cues, changing pace ----------------------------------------


@pytest.mark.parametrize("kind", ["in", "top", "hold", "out"])
def test_tones_are_soft_and_fade_in_and_out(kind: str) -> None:
    samples = array.array("h", tone_pcm(kind))
    assert len(samples) == round(SHAPES[kind].seconds * 22050)
    assert abs(samples[0]) < 50 and abs(samples[-1]) < 50  # no click at either end
    peak = max(abs(s) for s in samples)
    assert 0.15 * 32767 < peak < 0.3 * 32767  # soft, not silent


def _pitch(samples: array.array[int], rate: int = 22050) -> float:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    return crossings / (len(samples) / rate)


def test_each_phase_has_its_own_tone() -> None:
    tones = {k: array.array("h", tone_pcm(k)) for k in SHAPES}
    half = {k: (len(t) // 2) for k, t in tones.items()}
    rising = _pitch(tones["in"][half["in"] :]) > _pitch(tones["in"][: half["in"]])
    falling = _pitch(tones["out"][half["out"] :]) < _pitch(tones["out"][: half["out"]])
    assert rising and falling
    assert _pitch(tones["hold"]) < _pitch(tones["in"])
    assert len({bytes(t) for t in tones.values()}) == 4


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("4-2-6-0", [("in", 4), ("hold", 2), ("out", 6)]),
        ("4-6", [("in", 4), ("out", 6)]),
        ("4-7-8", [("in", 4), ("hold", 7), ("out", 8)]),
        ("5.5-0-5.5-0", [("in", 5.5), ("out", 5.5)]),
    ],
    ids=["four-parts", "two-parts", "three-parts", "halves"],
)
def test_custom_patterns(text: str, phases: list[tuple[str, float]]) -> None:
    assert [(p.kind, p.seconds) for p in parse_pattern(text).phases] == phases


@pytest.mark.parametrize("text", ["4-x-8", "4", "4-4-4-4-4", "0-4", "4-0", "-4-4", "4--4"])
def test_impossible_patterns_are_refused(text: str) -> None:
    with pytest.raises(PatternError):
        parse_pattern(text)


def test_breaths_per_minute_and_ratio() -> None:
    pattern = pattern_from_rate(6, "1:2")
    assert [p.seconds for p in pattern.phases] == [
        pytest.approx(10 / 3, abs=0.001),
        pytest.approx(20 / 3, abs=0.001),
    ]
    assert breaths_per_minute(pattern) == pytest.approx(6)


def test_cues_that_do_not_fit_get_a_shorter_word_then_a_tone(content: Content) -> None:
    sigh = schedule(content.breathing, pattern(content, "cyclic-sigh"), 2)
    lengths = {
        "Breathe in for 2": 1.2,
        "Breathe in": 0.7,
        "A little more in": 0.9,
        "More": 0.5,
        "Breathe out for 6": 1.3,
        "Breathe out": 0.8,
    }
    fitted = fit_cues(sigh, lambda t: lengths[t], {"in": "In", "top": "More", "out": "Out"})
    said = [(c.text, c.sound) for c in fitted.cues]
    assert said == [
        ("Breathe in for 2", "voice"),
        ("More", "voice"),
        ("Breathe out for 6", "voice"),
        ("Breathe in", "voice"),
        ("More", "voice"),
        ("Breathe out", "voice"),
    ]
    too_long = fit_cues(sigh, lambda t: 2.0, {"in": "In", "top": "More", "out": "Out"})
    assert [c.sound for c in too_long.cues if c.kind == "top"] == ["tone", "tone"]
    assert all(c.at == f.at for c, f in zip(sigh.cues, too_long.cues, strict=True))
    assert 1 - FIT_MARGIN > 0.5  # "More" fits a 1 s phase in the first case


def test_stretching_moves_only_later_breaths(content: Content) -> None:
    plan = schedule(content.breathing, pattern(content, "longer-exhale"), 3)
    slower = plan.stretched(1, 1.5)
    assert [c.at for c in slower.cues] == [0, 4, 10, 16, 25, 31]
    assert slower.seconds == 40
    assert [c.slot for c in slower.cues] == [4, 6, 6, 9, 6, 9]


def test_a_count_leaves_no_gap(content: Content) -> None:
    plan = schedule(content.breathing, pattern(content, "4-7-8"), 1, "count")
    assert [c.at for c in plan.cues] == list(range(19))
    assert sum(c.slot for c in plan.cues) == pytest.approx(19)
