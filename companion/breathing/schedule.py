"""Turn a breathing pattern into cues on one absolute timeline. Pure.

Each cue's time is counted from the start of the breathing, so however long a cue takes to say,
the next one still starts on time: nothing accumulates.
"""

from __future__ import annotations

from companion.content.model import Breathing, Pattern
from companion.dialogue.steps import Breathe, Cue


def cycle_seconds(pattern: Pattern) -> float:
    return sum(p.seconds for p in pattern.phases)


def cycles_for(pattern: Pattern, minutes: float) -> int:
    """Whole breaths that fill about `minutes` (at least one)."""
    return max(1, round(minutes * 60 / cycle_seconds(pattern)))


def _spoken_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def schedule(breathing: Breathing, pattern: Pattern, cycles: int) -> Breathe:
    if cycles < 1:
        raise ValueError("cycles must be at least 1")
    cues: list[Cue] = []
    at = 0.0
    for cycle in range(cycles):
        for phase in pattern.phases:
            cue = breathing.cues[phase.kind]
            text = (
                cue.first.format(seconds=_spoken_seconds(phase.seconds))
                if cycle == 0
                else cue.again
            )
            cues.append(Cue(at=round(at, 6), text=text, cycle=cycle))
            at += phase.seconds
    return Breathe(cues=tuple(cues), seconds=round(at, 6))


def breaths_per_minute(pattern: Pattern) -> float:
    return 60 / cycle_seconds(pattern)
