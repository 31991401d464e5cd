"""Turn a breathing pattern into cues on one absolute timeline. Pure.

Each cue's time is counted from the start of the breathing, so however long a cue takes to say,
the next one still starts on time: nothing accumulates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Literal

from companion.content.model import Breathing, Pattern, Phase, PhaseKind
from companion.dialogue.steps import Breathe, Cue, CueSound

CueMode = Literal["voice", "tone", "both", "count"]
FIT_MARGIN = 0.25  # seconds a spoken cue must leave free before the next one
NUMBERS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty",
)  # fmt: skip


class PatternError(ValueError):
    """A custom pattern that cannot be breathed; the message says what is wrong."""


def cycle_seconds(pattern: Pattern) -> float:
    return sum(p.seconds for p in pattern.phases)


def cycles_for(pattern: Pattern, minutes: float) -> int:
    """Whole breaths that fill about `minutes` (at least one)."""
    return max(1, round(minutes * 60 / cycle_seconds(pattern)))


def breaths_per_minute(pattern: Pattern) -> float:
    return 60 / cycle_seconds(pattern)


def parse_pattern(text: str) -> Pattern:
    """ "4-2-6-0": seconds of in, hold, out, hold (two or three numbers: in-out, in-hold-out).
    A zero leaves that phase out."""
    example = "write in-hold-out-hold seconds, for example 4-2-6-0"
    parts = text.strip().split("-")
    if not 2 <= len(parts) <= 4:
        raise PatternError(f"{text!r} has {len(parts)} parts; {example}")
    seconds = []
    for part in parts:
        if not re.fullmatch(r"\d+(\.\d+)?", part.strip()):
            raise PatternError(f"{text!r}: {part.strip()!r} is not a number of seconds; {example}")
        seconds.append(float(part))
    kinds: dict[int, tuple[PhaseKind, ...]] = {
        2: ("in", "out"),
        3: ("in", "hold", "out"),
        4: ("in", "hold", "out", "hold"),
    }
    phases = [Phase(kind, s) for kind, s in zip(kinds[len(parts)], seconds, strict=True)]
    for phase in phases:
        if phase.seconds > 60:
            raise PatternError(f"{text!r}: {phase.seconds:g} seconds is too long for one phase")
    if phases[0].seconds == 0 or next(p for p in phases if p.kind == "out").seconds == 0:
        raise PatternError(f"{text!r}: breathing in and out need more than 0 seconds")
    kept = tuple(p for p in phases if p.seconds > 0)
    return Pattern(
        text.strip(), f"Your pattern, {text.strip()}", "Breathing at your own pattern.", kept
    )


def pattern_from_rate(bpm: float, ratio: str = "1:1") -> Pattern:
    """`bpm` breaths a minute, in and out in the proportion `ratio` ("1:2": out twice as long)."""
    if not 1 <= bpm <= 30:
        raise PatternError(f"{bpm:g} breaths a minute is outside 1 to 30")
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", ratio)
    if not match or float(match[1]) <= 0 or float(match[2]) <= 0:
        raise PatternError(f"{ratio!r} is not a ratio of in to out; write it like 1:2")
    cycle = 60 / bpm
    inhale = round(cycle * float(match[1]) / (float(match[1]) + float(match[2])), 3)
    exhale = round(cycle - inhale, 3)
    name = f"{bpm:g} breaths a minute, in to out {match[1]}:{match[2]}"
    return Pattern(
        f"{bpm:g}bpm-{match[1]}:{match[2]}",
        name,
        name + ".",
        (Phase("in", inhale), Phase("out", exhale)),
    )


def _spoken_seconds(seconds: float) -> str:
    """Whole and half seconds as they are ("4", "5.5"); anything else to the nearest second,
    since "three point three three three" helps nobody. The timing itself stays exact."""
    if abs(seconds * 2 - round(seconds * 2)) < 0.01:
        return f"{round(seconds * 2) / 2:g}"
    return str(round(seconds))


def schedule(
    breathing: Breathing, pattern: Pattern, cycles: int, mode: CueMode = "voice"
) -> Breathe:
    """Cues for `cycles` breaths. voice: a spoken cue per phase; tone: a tone per phase; both:
    tone then word; count: the phase word, then each further second counted aloud."""
    if cycles < 1:
        raise ValueError("cycles must be at least 1")
    sound: CueSound = "voice" if mode == "count" else mode
    cues: list[Cue] = []
    at = 0.0
    for cycle in range(cycles):
        for phase in pattern.phases:
            cue = breathing.cues[phase.kind]
            if mode == "count":
                text = cue.again
            elif cycle == 0:
                text = cue.first.format(seconds=_spoken_seconds(phase.seconds))
            else:
                text = cue.again
            counts = int(phase.seconds) if mode == "count" and phase.seconds >= 2 else 1
            slot = phase.seconds if counts == 1 else 1.0
            cues.append(Cue(round(at, 6), text, cycle, phase.kind, slot, sound))
            for k in range(1, counts):
                last = k == counts - 1
                tail = phase.seconds - k if last else 1.0
                word = NUMBERS[k] if k < len(NUMBERS) else str(k + 1)
                cues.append(Cue(round(at + k, 6), word, cycle, "", round(tail, 6), "voice"))
            at += phase.seconds
    return Breathe(cues=tuple(cues), seconds=round(at, 6))


def fit_cues(step: Breathe, measure: Callable[[str], float], shorter: Mapping[str, str]) -> Breathe:
    """Make every spoken cue fit its slot: `measure(text)` is how long it takes to say. A cue
    that would run into the next is swapped for the phase's shorter word, and if that does not
    fit either, for the phase's tone (or, for a count, for silence)."""
    fitted = []
    for cue in step.cues:
        if cue.sound == "tone" or measure(cue.text) <= cue.slot - FIT_MARGIN:
            fitted.append(cue)
            continue
        short = shorter.get(cue.kind, "")
        if short and measure(short) <= cue.slot - FIT_MARGIN:
            fitted.append(replace(cue, text=short))
        elif cue.kind:
            fitted.append(replace(cue, sound="tone"))
        # a count that does not fit is left out: the next phase's cue still comes on time
    return Breathe(tuple(fitted), step.seconds)
